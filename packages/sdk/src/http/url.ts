/**
 * URL resolution (SPEC §3) and query-string encoding shared by params and form bodies.
 */
import { WeftError } from '../errors.js';
import { isPlainObject } from '../schema/values.js';

const ABSOLUTE = /^[a-zA-Z][a-zA-Z\d+.-]*:/;

export function isAbsoluteUrl(url: string): boolean {
  return ABSOLUTE.test(url);
}

// The same base URI comes back on every request of a connection: remember the last one parsed.
let lastBase: string | undefined;
let lastBaseUrl: URL | undefined;

/**
 * Resolves `url` against `base` treated as a directory (RFC 3986): `contacts` → `<base>/contacts`,
 * `/contacts` → the host root, `../x` one level up. Absolute URLs are returned unchanged.
 */
export function resolveUrl(url: string, base: string | undefined, redact: (s: string) => string = (s) => s): string {
  if (isAbsoluteUrl(url)) return url;
  if (!base) {
    throw new WeftError(
      'REQUEST_INVALID',
      `Cannot send a request to the relative URL "${redact(url)}": set connection.baseUri or use an absolute URL`,
    );
  }
  try {
    if (base !== lastBase) {
      lastBaseUrl = new URL(base.endsWith('/') ? base : `${base}/`);
      lastBase = base;
    }
    return new URL(url, lastBaseUrl).href;
  } catch {
    throw new WeftError('REQUEST_INVALID', `connection.baseUri is not a valid URL: ${redact(base)}`);
  }
}

export type Encoder = (s: string) => string;

export const encodeQueryComponent: Encoder = encodeURIComponent;
export const encodeFormComponent: Encoder = (s) => encodeURIComponent(s).replace(/%20/g, '+');

/**
 * Appends `key=value` pairs for one value: arrays repeat the key (`a=1&a=2`), objects nest as
 * `a[b]=1` (arrays of objects as `a[0][b]=1`), null and undefined are skipped. `key` is already
 * encoded; brackets stay literal for readability (servers decode both forms).
 */
function appendPairs(out: string[], key: string, value: unknown, enc: Encoder): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (Array.isArray(item) || isPlainObject(item)) appendPairs(out, `${key}[${i}]`, item, enc);
      else appendPairs(out, key, item, enc);
    }
  } else if (value instanceof Date) {
    out.push(`${key}=${enc(value.toISOString())}`);
  } else if (typeof value === 'object') {
    for (const k of Object.keys(value))
      appendPairs(out, `${key}[${enc(k)}]`, (value as Record<string, unknown>)[k], enc);
  } else {
    out.push(`${key}=${enc(String(value))}`);
  }
}

/** Encodes objects as one query (or form) string; later objects' pairs come after earlier ones. */
export function encodeParams(objects: readonly (Record<string, unknown> | undefined)[], enc: Encoder): string {
  const out: string[] = [];
  for (const obj of objects) {
    if (!obj) continue;
    for (const k of Object.keys(obj)) appendPairs(out, enc(k), obj[k], enc);
  }
  return out.join('&');
}

/** Appends an encoded query to a URL, after any query it already has and before its fragment. */
export function appendQuery(url: string, query: string): string {
  if (!query) return url;
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  const tail = hash === -1 ? '' : url.slice(hash);
  const q = head.indexOf('?');
  const sep = q === -1 ? '?' : q === head.length - 1 || head.endsWith('&') ? '' : '&';
  return `${head}${sep}${query}${tail}`;
}
