/**
 * multipart/form-data bodies, built here rather than with FormData so that stream parts are
 * pulled chunk by chunk as undici writes them (a whole file is never held in memory).
 *
 * Payload values: a scalar is a text field; an array `[content, contentType?, fileName?]` is a
 * file part (content: string, bytes, Readable or async iterable); bare bytes or a stream are a
 * file part named after the field; nested objects become `a[b]` fields; null/undefined are skipped.
 */
import { randomBytes } from 'node:crypto';
import { isPlainObject } from '../../schema/values.js';

export interface MultipartBody {
  contentType: string;
  /** A Buffer when every part is in memory (replayable), else a one-shot async iterable. */
  body: Buffer | AsyncIterable<Uint8Array>;
  replayable: boolean;
  /** For logs: names of the parts. */
  description: string;
}

type Content = string | Uint8Array | AsyncIterable<unknown>;
interface Part {
  name: string;
  content: Content;
  contentType?: string;
  fileName?: string;
}

const CRLF = Buffer.from('\r\n');

export function isStreamLike(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && Symbol.asyncIterator in value;
}

// WHATWG's escaping for names inside Content-Disposition.
function quote(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function collect(parts: Part[], name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    const [content, contentType, fileName] = value as unknown[];
    parts.push({
      name,
      content: content instanceof Uint8Array || isStreamLike(content) ? content : String(content ?? ''),
      contentType: typeof contentType === 'string' && contentType ? contentType : undefined,
      fileName: typeof fileName === 'string' && fileName ? fileName : name,
    });
  } else if (value instanceof Uint8Array || isStreamLike(value)) {
    parts.push({ name, content: value, fileName: name });
  } else if (value instanceof Date) {
    parts.push({ name, content: value.toISOString() });
  } else if (isPlainObject(value)) {
    for (const k of Object.keys(value)) collect(parts, `${name}[${k}]`, value[k]);
  } else {
    parts.push({ name, content: String(value) });
  }
}

function partHead(boundary: string, part: Part): Buffer {
  let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"`;
  if (part.fileName !== undefined) {
    const type =
      part.contentType ?? (typeof part.content === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    head += `; filename="${quote(part.fileName)}"\r\nContent-Type: ${type}`;
  } else if (part.contentType) {
    head += `\r\nContent-Type: ${part.contentType}`;
  }
  return Buffer.from(`${head}\r\n\r\n`);
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk));
}

async function* stream(boundary: string, parts: Part[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    yield partHead(boundary, part);
    if (typeof part.content === 'string') yield Buffer.from(part.content);
    else if (part.content instanceof Uint8Array) yield part.content;
    else for await (const chunk of part.content) yield toBytes(chunk);
    yield CRLF;
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

export function multipartBody(payload: Record<string, unknown>, boundary = newBoundary()): MultipartBody {
  const parts: Part[] = [];
  for (const k of Object.keys(payload)) collect(parts, k, payload[k]);
  const contentType = `multipart/form-data; boundary=${boundary}`;
  const description = `<multipart/form-data: ${parts.map((p) => (p.fileName ? `${p.name} (file ${p.fileName})` : p.name)).join(', ')}>`;
  if (parts.some((p) => isStreamLike(p.content))) {
    return { contentType, body: stream(boundary, parts), replayable: false, description };
  }
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const content = part.content as string | Uint8Array;
    chunks.push(partHead(boundary, part), typeof content === 'string' ? Buffer.from(content) : content, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType, body: Buffer.concat(chunks), replayable: true, description };
}

export function newBoundary(): string {
  return `----WeftBoundary${randomBytes(12).toString('hex')}`;
}
