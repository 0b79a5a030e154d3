/**
 * Reads a spec (a file, or an http(s) URL of one), parses JSON or YAML and dereferences it with
 * `@readme/openapi-parser`. Circular references stay circular objects; the names of the schemas
 * they came from are kept by object identity, so the generator can write them as object
 * definitions instead of inlining them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dereference } from '@readme/openapi-parser';
import { messageOf, UsageError } from '@weft/sdk';
import { parse as parseYaml } from 'yaml';

/** A spec that cannot be read, parsed or dereferenced. */
export class SpecError extends UsageError {
  constructor(message: string) {
    super(message, 'INPUT_UNREADABLE');
  }
}

export interface LoadedSpec {
  document: Record<string, unknown>;
  /** `#/components/schemas/x` and `#/definitions/x` targets, by identity → `x`. */
  schemaNames: Map<object, string>;
}

const NAMED_SCHEMA = /^#\/(?:components\/schemas|definitions)\/([^/]+)$/;
const FETCH_TIMEOUT_MS = 30_000;

const isUrl = (source: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(source);

async function readSource(source: string): Promise<string> {
  if (isUrl(source)) {
    const url = new URL(source);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SpecError(`Cannot fetch ${source}: only http and https URLs are supported`);
    }
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
    } catch (error) {
      throw new SpecError(`Cannot fetch ${source}: ${messageOf(error)}`);
    }
    if (!response.ok) throw new SpecError(`Cannot fetch ${source}: HTTP ${response.status}`);
    return response.text();
  }
  try {
    return await readFile(resolve(source), 'utf8');
  } catch (error) {
    throw new SpecError(`Cannot read ${source}: ${messageOf(error)}`);
  }
}

function parseText(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 10_000 });
  } catch (error) {
    throw new SpecError(`${source} is neither JSON nor YAML: ${messageOf(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError(`${source} does not hold an object`);
  }
  const doc = value as Record<string, unknown>;
  const version = String(doc.openapi ?? doc.swagger ?? '');
  if (!/^(2\.0|3\.[01])/.test(version)) {
    throw new SpecError(
      `${source} is not a Swagger 2.0 or OpenAPI 3.0/3.1 document (no "swagger" or "openapi" version)`,
    );
  }
  return doc;
}

/** A `$ref` to anything but this document (`#/...`): another file to resolve. */
const EXTERNAL_REF = /["']?\$ref["']?\s*:\s*["']?(?!#)[^\s"',}]/;

export async function loadSpec(source: string): Promise<LoadedSpec> {
  const text = await readSource(source);
  const document = parseText(text, source);
  const external = !isUrl(source) && EXTERNAL_REF.test(text);
  const schemaNames = new Map<object, string>();
  const remember = (path: string, value: unknown) => {
    const name = NAMED_SCHEMA.exec(path)?.[1];
    if (name && value && typeof value === 'object' && !schemaNames.has(value)) {
      schemaNames.set(value, decodeURIComponent(name.replace(/~1/g, '/').replace(/~0/g, '~')));
    }
  };
  let dereferenced: Record<string, unknown>;
  try {
    // The parser's document types are a union of the three versions; the importer reads the
    // result as plain data (normalize.ts).
    // A file with references to other files is handed over by path so that they resolve;
    // otherwise the parsed object (parsing a large spec twice costs seconds). A fetched
    // document never makes the parser fetch other URLs.
    const input = external ? resolve(source) : (document as Parameters<typeof dereference>[0]);
    dereferenced = (await dereference(input, {
      dereference: { circular: true, onDereference: remember },
      resolve: { external },
    })) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new SpecError(`Cannot resolve the references of ${source}: ${messageOf(error)}`);
  }
  // Named schemas never referenced are not seen by onDereference: name them from where they live.
  const components = dereferenced.components as { schemas?: Record<string, unknown> } | undefined;
  for (const table of [components?.schemas, dereferenced.definitions as Record<string, unknown> | undefined]) {
    for (const [name, value] of Object.entries(table ?? {})) {
      if (value && typeof value === 'object' && !schemaNames.has(value)) schemaNames.set(value, name);
    }
  }
  return { document: dereferenced, schemaNames };
}
