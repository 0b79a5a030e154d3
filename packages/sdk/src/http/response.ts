/**
 * Turning a buffered response body into a value, by the requested format or by content type:
 * JSON (`application/json`, `+json`), XML (`application/xml`, `text/xml`, `+xml`), other text as
 * a string, anything else as bytes (Uint8Array); an empty body is null.
 */
import { isWeftError, WeftError } from '../errors.js';
import { parseJson } from './formats/json.js';
import type { XmlDocument } from './formats/xml.js';
import type { RawResponseOptions, ResponseFormat, XmlResponseOptions } from './types.js';

export type BodyKind = 'json' | 'xml' | 'text' | 'binary';

const TEXTUAL =
  /^(text\/|application\/(javascript|ecmascript|x-www-form-urlencoded|graphql|sql|yaml|x-yaml|toml|csv|x-ndjson|ndjson))/;

export function mimeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function kindOf(contentType: string | undefined): BodyKind {
  const mime = mimeOf(contentType);
  if (mime === 'application/json' || mime.endsWith('+json') || mime === 'text/json') return 'json';
  if (mime === 'application/xml' || mime === 'text/xml' || mime.endsWith('+xml')) return 'xml';
  if (TEXTUAL.test(mime)) return 'text';
  return 'binary';
}

/** Decodes text by the content type's charset (UTF-8 when absent or unknown). */
export function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = contentType ? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase() : undefined;
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // unknown label: fall through to UTF-8
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** A view of a Buffer as a plain Uint8Array (what connectors get for binary bodies). */
export function plainBytes(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface BodyFormat {
  format: ResponseFormat;
  xml?: XmlResponseOptions;
  raw?: RawResponseOptions;
}

let xmlModule: Promise<typeof import('./formats/xml.js')> | undefined;

/** fast-xml-parser is loaded on first use only: JSON-only connectors never pay for it. */
export function loadXml(): Promise<typeof import('./formats/xml.js')> {
  xmlModule ??= import('./formats/xml.js');
  return xmlModule;
}

export async function parseXmlBody(
  text: string,
  options: XmlResponseOptions | undefined,
  where: () => string,
): Promise<XmlDocument> {
  const { parseXml } = await loadXml();
  try {
    return parseXml(text, options);
  } catch (error) {
    if (isWeftError(error)) {
      throw new WeftError('RESPONSE_PARSE_ERROR', `${where()}: response is not valid XML: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Parses a buffered body. `where()` (`GET <redacted url>`) prefixes parse errors; it is only
 * called on failure, keeping URL redaction off the happy path.
 */
export async function parseBody(
  bytes: Buffer,
  contentType: string | undefined,
  format: BodyFormat,
  where: () => string,
  redact: (s: string) => string,
): Promise<unknown> {
  const f = format.format;
  if (f === 'raw') {
    const as = format.raw?.as ?? (kindOf(contentType) === 'binary' ? 'bytes' : 'text');
    return as === 'bytes' ? plainBytes(bytes) : decodeText(bytes, contentType);
  }
  if (bytes.length === 0) return null;
  const kind = f === 'json' ? 'json' : f === 'xml' ? 'xml' : kindOf(contentType);
  switch (kind) {
    case 'json':
      return parseJson(decodeText(bytes, contentType), where, redact);
    case 'xml': {
      const text = decodeText(bytes, contentType);
      return text.trim() === '' ? null : parseXmlBody(text, format.xml, where);
    }
    case 'text':
      return decodeText(bytes, contentType);
    default:
      return plainBytes(bytes);
  }
}

/** Like parseBody but never throws: an unparsable error body is given as its text. */
export async function parseBodyLenient(
  bytes: Buffer,
  contentType: string | undefined,
  format: BodyFormat,
  redact: (s: string) => string,
): Promise<unknown> {
  try {
    const f = format.format === 'stream' ? { format: 'auto' as const } : format;
    return await parseBody(bytes, contentType, f, () => '', redact);
  } catch {
    return decodeText(bytes, contentType);
  }
}
