/**
 * The cassette file: one JSON file per test holding the HTTP exchanges of the test in order, the
 * frozen clock, the connection values used (secrets as placeholders) and the outputs of the
 * operations. Written pretty-printed with a fixed key order so that re-recording gives small diffs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const CASSETTE_VERSION = 1;

/** A body as stored: JSON (when it round-trips exactly), text, or base64 for bytes. */
export interface StoredBody {
  bodyEncoding?: 'json' | 'base64';
  body?: unknown;
}

export interface StoredRequest extends StoredBody {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
}

export interface StoredResponse extends StoredBody {
  status: number;
  statusText?: string;
  headers: Record<string, string | string[]>;
}

export interface Interaction {
  request: StoredRequest;
  response: StoredResponse;
}

export interface RecordedOutput {
  /** The exec path, e.g. `actions.get_contact.execute`. */
  path: string;
  output: unknown;
}

export interface CassetteFile {
  version: number;
  /** When the cassette was recorded (wall clock). */
  recordedAt: string;
  /** What `ctx.now()` returned while recording; replay returns the same. */
  now: string;
  /** The connection values used while recording; secrets are placeholders. */
  connection: Record<string, unknown>;
  interactions: Interaction[];
  outputs: RecordedOutput[];
}

const TEXTUAL_TYPE = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript|graphql|yaml)\b)/i;
const BINARY_TYPE =
  /^(image|audio|video|font)\/|^application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|protobuf|x-protobuf|msgpack)/i;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Whether bytes are text we can store as a string (valid UTF-8 without control characters). */
function asText(bytes: Buffer, contentType: string | undefined): string | undefined {
  if (contentType && BINARY_TYPE.test(contentType)) return undefined;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for binary content
  if (!(contentType && TEXTUAL_TYPE.test(contentType)) && /[\u0000-\u0008\u000e-\u001f]/.test(text)) return undefined;
  return text;
}

/** Encodes a body for the file; `filter` hides secrets in textual bodies. */
export function encodeBody(bytes: Buffer, contentType: string | undefined, filter: (s: string) => string): StoredBody {
  if (bytes.length === 0) return {};
  const text = asText(bytes, contentType);
  if (text === undefined) return { bodyEncoding: 'base64', body: bytes.toString('base64') };
  const filtered = filter(text);
  try {
    const value = JSON.parse(filtered);
    // Only when writing it back gives the same bytes (what replay sends to the connector).
    if (JSON.stringify(value) === filtered && value !== null && typeof value === 'object') {
      return { bodyEncoding: 'json', body: value };
    }
  } catch {}
  return { body: filtered };
}

/** The bytes of a stored body; `restore` puts secrets back into textual bodies. */
export function decodeBody(stored: StoredBody, restore: (s: string) => string = (s) => s): Buffer {
  if (stored.body === undefined) return Buffer.alloc(0);
  if (stored.bodyEncoding === 'base64') return Buffer.from(String(stored.body), 'base64');
  const text = stored.bodyEncoding === 'json' ? JSON.stringify(stored.body) : String(stored.body);
  return Buffer.from(restore(text), 'utf8');
}

/** The text of a stored body for matching and diffs (base64 for bytes). */
export function bodyText(stored: StoredBody): string {
  if (stored.body === undefined) return '';
  if (stored.bodyEncoding === 'json') return JSON.stringify(stored.body);
  return String(stored.body);
}

export function sortHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function orderedBody(b: StoredBody): StoredBody {
  return b.body === undefined ? {} : b.bodyEncoding ? { bodyEncoding: b.bodyEncoding, body: b.body } : { body: b.body };
}

/** The file text: fixed key order, two-space indentation, final newline. */
export function serializeCassette(c: CassetteFile): string {
  const ordered: CassetteFile = {
    version: c.version,
    recordedAt: c.recordedAt,
    now: c.now,
    connection: Object.fromEntries(Object.entries(c.connection).sort(([a], [b]) => (a < b ? -1 : 1))),
    interactions: c.interactions.map(({ request, response }) => ({
      request: {
        method: request.method,
        url: request.url,
        headers: sortHeaders(request.headers),
        ...orderedBody(request),
      },
      response: {
        status: response.status,
        ...(response.statusText ? { statusText: response.statusText } : {}),
        headers: sortHeaders(response.headers),
        ...orderedBody(response),
      },
    })),
    outputs: c.outputs,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

export class CassetteError extends Error {
  readonly code: 'CASSETTE_MISSING' | 'CASSETTE_MISMATCH' | 'CASSETTE_INVALID';
  constructor(code: CassetteError['code'], message: string) {
    super(message);
    this.name = 'CassetteError';
    this.code = code;
  }
}

export async function readCassette(file: string): Promise<CassetteFile | undefined> {
  if (!existsSync(file)) return undefined;
  let doc: any;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CassetteError(
      'CASSETTE_INVALID',
      `${file} is not valid JSON (${(error as Error).message}): record it again with WEFT_RECORD=1`,
    );
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.interactions)) {
    throw new CassetteError('CASSETTE_INVALID', `${file} is not a Weft cassette (no "interactions" list)`);
  }
  return {
    version: Number(doc.version ?? CASSETTE_VERSION),
    recordedAt: String(doc.recordedAt ?? doc.now ?? new Date(0).toISOString()),
    now: String(doc.now ?? doc.recordedAt ?? new Date(0).toISOString()),
    connection: doc.connection && typeof doc.connection === 'object' ? doc.connection : {},
    interactions: doc.interactions,
    outputs: Array.isArray(doc.outputs) ? doc.outputs : [],
  };
}

/** Writes the cassette atomically (a test killed mid-write leaves the old file). */
export async function writeCassette(file: string, cassette: CassetteFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, serializeCassette(cassette));
  await rename(tmp, file);
}
