/**
 * Acme Files against a fake file store. The fake parses multipart bodies byte by byte, hashes
 * streamed uploads as they arrive (it never holds them) and serves byte ranges.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, type ExecuteOptions, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { execWeft } from '../../packages/cli/src/test-helpers.js';
import { outputOf } from '../test-support.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const TOKEN = 'af-at-4b6d8f0a2c4e6a8b';

// ---------------------------------------------------------------------------------------------
// The fake Acme Files API

interface StoredFile {
  id: string;
  name: string;
  folder: string;
  content_type: string;
  content: Buffer;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const files = new Map<string, StoredFile>();
const seen: Seen[] = [];
/** Bytes of the streamed upload received so far. */
let largeReceived = 0;
let nextId = 1;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

interface Part {
  name: string;
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body (RFC 7578) into parts; throws when it is malformed. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error('no boundary in content-type');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('boundary not found in body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('boundary not followed by CRLF');
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new Error('part without header end');
    const headers: Record<string, string> = {};
    for (const line of body
      .subarray(pos + 2, headerEnd)
      .toString('utf8')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('part not terminated');
    const disposition = headers['content-disposition'] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (!/^form-data\b/.test(disposition) || name === undefined) throw new Error('part without form-data name');
    parts.push({
      name,
      fileName: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
      contentType: headers['content-type'],
      data: body.subarray(headerEnd + 4, next),
    });
    pos = next + 2;
  }
}

function uploadFile(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/.test(type))
    return send(res, 400, { error: `expected multipart/form-data, got ${type}` });
  let parts: Part[];
  try {
    parts = parseMultipart(body, type);
  } catch (error) {
    return send(res, 400, { error: `malformed multipart body: ${(error as Error).message}` });
  }
  for (const part of parts) {
    if (!['folder', 'description', 'file'].includes(part.name))
      return send(res, 400, { error: `unknown part ${part.name}` });
  }
  const folder = parts.find((p) => p.name === 'folder');
  const file = parts.find((p) => p.name === 'file');
  if (!folder || folder.fileName !== undefined || !folder.data.length)
    return send(res, 400, { error: 'folder is required' });
  if (!file?.fileName || !file.contentType)
    return send(res, 400, { error: 'file must be a file part with a name and type' });
  const stored: StoredFile = {
    id: `f${nextId++}`,
    name: file.fileName,
    folder: folder.data.toString('utf8'),
    content_type: file.contentType,
    content: Buffer.from(file.data),
  };
  files.set(stored.id, stored);
  send(res, 201, {
    id: stored.id,
    name: stored.name,
    folder: stored.folder,
    size: stored.content.length,
    content_type: stored.content_type,
    sha256: sha256(stored.content),
    description: parts.find((p) => p.name === 'description')?.data.toString('utf8') ?? null,
  });
}

/** Hashes the upload as it streams in; only its size and checksum are kept. */
function uploadLarge(req: IncomingMessage, res: ServerResponse, url: URL) {
  const reject = (error: string) => {
    req.resume();
    req.on('end', () => send(res, 400, { error }));
  };
  if (req.headers['content-type'] !== 'application/octet-stream') return reject('expected application/octet-stream');
  if (!req.headers['content-length'] && req.headers['transfer-encoding'] !== 'chunked') {
    return reject('need content-length or chunked transfer encoding');
  }
  const name = url.searchParams.get('name');
  if (!name) return reject('name parameter required');
  const hash = createHash('sha256');
  largeReceived = 0;
  req.on('data', (chunk: Buffer) => {
    largeReceived += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.alloc(0) });
    send(res, 201, { id: `f${nextId++}`, name, size: largeReceived, sha256: hash.digest('hex') });
  });
}

function content(req: IncomingMessage, res: ServerResponse, file: StoredFile) {
  const headers = {
    'content-type': file.content_type,
    'content-disposition': `attachment; filename="${file.name}"`,
    'accept-ranges': 'bytes',
  };
  const range = req.headers.range;
  if (range === undefined) {
    res.writeHead(200, { ...headers, 'content-length': file.content.length });
    return void res.end(file.content);
  }
  const m = /^bytes=(\d+)-(\d+)$/.exec(range);
  if (!m) return send(res, 400, { error: `unsupported range ${range}` });
  const from = Number(m[1]);
  const to = Math.min(Number(m[2]), file.content.length - 1);
  if (from >= file.content.length || from > to) {
    res.writeHead(416, { 'content-range': `bytes */${file.content.length}` });
    return void res.end();
  }
  res.writeHead(206, {
    ...headers,
    'content-range': `bytes ${from}-${to}/${file.content.length}`,
    'content-length': to - from + 1,
  });
  res.end(file.content.subarray(from, to + 1));
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    req.resume();
    return send(res, 401, { error: 'invalid token' });
  }
  if (req.method === 'PUT' && url.pathname === '/api/files/large') return uploadLarge(req, res, url);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.method === 'GET' && url.pathname === '/api/account') return send(res, 200, { id: 'acct-1', plan: 'pro' });
    if (req.method === 'POST' && url.pathname === '/api/files') return uploadFile(req, res, body);
    const m = /^\/api\/files\/([\w-]+)\/content$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const file = files.get(m[1]);
      if (!file) return send(res, 404, { error: `no file ${m[1]}` });
      return content(req, res, file);
    }
    send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  });
}

// ---------------------------------------------------------------------------------------------

let server: Server;
let base: string;
let connector: ConnectorDefinition;
let dir: string;
let settings: string;
let connection: Record<string, unknown>;

/** A CSV with non-ASCII text and bytes that are not valid UTF-8, to prove the upload is binary-safe. */
const CSV = Buffer.concat([
  Buffer.from('\uFEFFcity,amount\nZürich,12.50\nKraków,7\n', 'utf8'),
  Buffer.from([0xff, 0x00, 0xfe, 0x0a]),
]);
/** Larger than two stream chunks (1 MiB each) and not a multiple of one. */
const BIG = randomBytes(2 * 1024 * 1024 + 12_345);

beforeAll(async () => {
  server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  dir = await mkdtemp(join(tmpdir(), 'weft-files-'));
  connection = { base_url: `${base}/api`, access_token: TOKEN };
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${base}/api\naccess_token: ${TOKEN}\n`);
});

afterAll(async () => {
  await closeHttp();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  files.clear();
  seen.length = 0;
  nextId = 1;
  files.set('big', { id: 'big', name: 'big.bin', folder: '/', content_type: 'application/octet-stream', content: BIG });
  files.set('empty', {
    id: 'empty',
    name: 'empty.txt',
    folder: '/',
    content_type: 'text/plain',
    content: Buffer.alloc(0),
  });
});

const run = (path: string, options: ExecuteOptions = {}) => outputOf(connector, connection, path, options);

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function weft(path: string, ...flags: string[]) {
  return execWeft(CONNECTOR, settings, path, ...flags);
}

describe('connection', () => {
  test('test sends the bearer token', async () => {
    expect(await run('test')).toEqual({ id: 'acct-1', plan: 'pro' });
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('upload_file', () => {
  test('sends multipart form data with text fields and a binary-safe file part', async () => {
    const output = await run('actions.upload_file.execute', {
      input: { folder: '/reports/2026', description: 'Monthly numbers', content_base64: CSV.toString('base64') },
    });
    expect(output).toEqual({
      id: 'f1',
      name: 'report.csv',
      folder: '/reports/2026',
      size: CSV.length,
      content_type: 'text/csv',
      sha256: sha256(CSV),
      description: 'Monthly numbers',
    });
    expect(files.get('f1')!.content.equals(CSV)).toBe(true);
    expect(seen[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  test('file name and type can be chosen; the description is left out when empty', async () => {
    const output = await run('actions.upload_file.execute', {
      input: { folder: '/x', file_name: 'notes.txt', content_type: 'text/plain', content_base64: 'aGVsbG8=' },
    });
    expect(output).toMatchObject({ name: 'notes.txt', content_type: 'text/plain', size: 5, description: null });
    const parts = parseMultipart(seen[0].body, String(seen[0].headers['content-type']));
    expect(parts.map((p) => p.name)).toEqual(['folder', 'file']);
  });

  test('content that is not Base64 is refused before any request', async () => {
    await expect(
      run('actions.upload_file.execute', { input: { folder: '/x', content_base64: 'not base64!' } }),
    ).rejects.toThrow(/not Base64/);
    expect(seen).toHaveLength(0);
  });
});

describe('upload_large', () => {
  test('streams 20 MiB from a generator: the server has the bytes before the generator ends', async () => {
    const size = 20 * 1024 * 1024;
    let receivedWhenGenerated = -1;
    const output = await run('actions.upload_large.execute', {
      input: { name: 'dump.bin', size_bytes: size, seed: 7 },
      onLog: (_level, message) => {
        if (message.includes('body generated')) receivedWhenGenerated = largeReceived;
      },
    });
    const expected = createHash('sha256');
    for (let i = 0, sent = 0; sent < size; i++) {
      const n = Math.min(64 * 1024, size - sent);
      expected.update(Buffer.alloc(n, `7:${i}|`));
      sent += n;
    }
    expect(output).toEqual({ id: 'f1', name: 'dump.bin', size, sha256: expected.digest('hex'), verified: true });
    expect(seen.find((s) => s.url.startsWith('/api/files/large'))!.url).toBe('/api/files/large?name=dump.bin');
    // Buffered uploads would send nothing before the whole body exists. Streamed, at most the
    // socket and client buffers separate generator and server.
    expect(receivedWhenGenerated).toBeGreaterThan(size - 12 * 1024 * 1024);
  });
});

describe('download_file', () => {
  test('returns the bytes as Base64 with name and type from the headers', async () => {
    const output = await run('actions.upload_file.execute', {
      input: { folder: '/r', content_base64: CSV.toString('base64') },
    });
    const downloaded = await run('actions.download_file.execute', { input: { id: output.id } });
    expect(downloaded).toEqual({
      id: 'f1',
      name: 'report.csv',
      content_type: 'text/csv',
      size: CSV.length,
      content_base64: CSV.toString('base64'),
    });
  });

  test('a missing file is an HTTP 404 error', async () => {
    await expect(run('actions.download_file.execute', { input: { id: 'nope' } })).rejects.toThrow(/404/);
  });
});

describe('streams.download', () => {
  test('reads the file in 1 MiB ranges until the end', async () => {
    const result = await execute(connector, 'streams.download', {
      connection: { ...connection },
      args: { file_id: 'big' },
    });
    if (result.kind !== 'stream') throw new Error(`expected a stream, got ${result.kind}`);
    const bytes = await readAll(result.stream);
    expect(bytes.equals(BIG)).toBe(true);
    expect(seen.map((s) => s.headers.range)).toEqual([
      'bytes=0-1048575',
      'bytes=1048576-2097151',
      'bytes=2097152-3145727',
    ]);
  });

  test('an empty file is an empty stream', async () => {
    const result = await execute(connector, 'streams.download', {
      connection: { ...connection },
      args: { file_id: 'empty' },
    });
    if (result.kind !== 'stream') throw new Error(`expected a stream, got ${result.kind}`);
    expect((await readAll(result.stream)).length).toBe(0);
  });
});

describe('weft exec', () => {
  test('upload_file from an input file prints the stored file as JSON', async () => {
    const input = join(dir, 'upload.json');
    await writeFile(input, JSON.stringify({ folder: '/cli', content_base64: CSV.toString('base64') }));
    const result = await weft('actions.upload_file.execute', `--input=${input}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'report.csv', size: CSV.length, sha256: sha256(CSV) });
  });

  test('streams.download --output writes the whole file', async () => {
    const args = join(dir, 'args.json');
    const out = join(dir, 'big.bin');
    await writeFile(args, JSON.stringify({ file_id: 'big' }));
    const result = await weft('streams.download', `--args=${args}`, `--output=${out}`);
    expect(result.code).toBe(0);
    expect((await readFile(out)).equals(BIG)).toBe(true);
  });

  test('--verbose hides the bearer token', async () => {
    const input = join(dir, 'download.json');
    await writeFile(input, JSON.stringify({ id: 'empty' }));
    const result = await weft('actions.download_file.execute', `--input=${input}`, '--verbose');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'empty', name: 'empty.txt', size: 0, content_base64: '' });
    expect(result.stderr).toMatch(/GET .*\/api\/files\/empty\/content/);
    expect(result.stderr).toMatch(/authorization: \[REDACTED\]/i);
    expect(result.stderr).not.toContain(TOKEN);
  });
});
