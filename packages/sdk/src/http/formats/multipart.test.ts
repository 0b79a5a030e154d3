import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { multipartBody } from './multipart.js';

async function collect(body: Buffer | AsyncIterable<Uint8Array>): Promise<string> {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

describe('multipartBody', () => {
  it('writes text fields and file parts with their type and name', async () => {
    const mp = multipartBody({ title: 'Hi', count: 3, file: ['hello', 'text/csv', 'a.csv'], skip: null }, 'BOUND');
    expect(mp.contentType).toBe('multipart/form-data; boundary=BOUND');
    expect(mp.replayable).toBe(true);
    expect(await collect(mp.body)).toBe(
      '--BOUND\r\nContent-Disposition: form-data; name="title"\r\n\r\nHi\r\n' +
        '--BOUND\r\nContent-Disposition: form-data; name="count"\r\n\r\n3\r\n' +
        '--BOUND\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nhello\r\n' +
        '--BOUND--\r\n',
    );
  });

  it('escapes quotes and line breaks in names and flattens nested objects', async () => {
    const mp = multipartBody({ meta: { 'a"b': 'x' }, f: [new Uint8Array([1, 2]), undefined, 'we"ird\n.bin'] }, 'B');
    const text = await collect(mp.body);
    expect(text).toContain('name="meta[a%22b]"');
    expect(text).toContain('filename="we%22ird%0A.bin"\r\nContent-Type: application/octet-stream');
  });

  it('pulls stream parts lazily instead of buffering them', async () => {
    let produced = 0;
    async function* big() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield new Uint8Array(1024);
      }
    }
    const mp = multipartBody({ file: [big(), 'application/octet-stream', 'big.bin'] }, 'B');
    expect(mp.replayable).toBe(false);
    const it = (mp.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.next(); // part head
    await it.next(); // first chunk
    expect(produced).toBe(1);
    let total = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) total += r.value.length;
    expect(produced).toBe(1000);
    expect(total).toBeGreaterThan(999 * 1024);
  });

  it('accepts Readable streams as file content', async () => {
    const mp = multipartBody(
      { f: [Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 'text/plain', 'x.txt'] },
      'B',
    );
    expect(await collect(mp.body)).toContain('\r\n\r\nabcd\r\n--B--');
  });
});
