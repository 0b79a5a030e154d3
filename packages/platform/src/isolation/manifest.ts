/**
 * A connector's manifest: its definition as data, for the server, which never runs connector
 * code. Each function becomes a marker in the host; in the server each marker becomes a stub
 * function (so `typeof trigger.poll === 'function'` still tells what a connector defines) that
 * refuses to run: operations go to the host.
 */
const MARKER = '$weft:function';

interface FunctionMarker {
  [MARKER]: string;
}

function isMarker(value: unknown): value is FunctionMarker {
  return typeof value === 'object' && value !== null && typeof (value as FunctionMarker)[MARKER] === 'string';
}

function mapTree(
  value: unknown,
  leaf: (value: unknown, path: string) => unknown,
  path: string,
  seen: Map<object, unknown>,
): unknown {
  const mapped = leaf(value, path);
  if (mapped !== value || value === null || typeof value !== 'object') return mapped;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out.push(mapTree(value[i], leaf, `${path}[${i}]`, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, entry] of Object.entries(value))
    out[key] = mapTree(entry, leaf, path ? `${path}.${key}` : key, seen);
  return out;
}

/** In the host: the definition with every function replaced by a marker naming its path. */
export function toManifest(definition: unknown): unknown {
  return mapTree(
    definition,
    (value, path) => (typeof value === 'function' ? { [MARKER]: path } : value),
    '',
    new Map(),
  );
}

/** In the server: the manifest with every marker replaced by a stub that refuses to run. */
export function fromManifest<T>(manifest: unknown): T {
  return mapTree(
    manifest,
    (value) => {
      if (!isMarker(value)) return value;
      const path = value[MARKER];
      return function runsInItsHost(): never {
        throw new Error(`${path} runs in the connector's host, not in the server`);
      };
    },
    '',
    new Map(),
  ) as T;
}
