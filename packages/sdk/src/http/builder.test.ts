import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

const last = () => server.received[server.received.length - 1];

describe('laziness', () => {
  it('sends nothing until awaited, and once however often it is awaited', async () => {
    const http = createHttpHelpers(testEnv());
    const before = server.received.length;
    const req = http.get(`${server.url}/lazy`);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.received.length).toBe(before);
    const [a, b] = await Promise.all([req, req]);
    expect(await req).toBe(a);
    expect(a).toBe(b);
    expect(server.received.length).toBe(before + 1);
  });

  it('sends on .send() and .then(), and refuses changes after sending', async () => {
    const http = createHttpHelpers(testEnv());
    const req = http.get(`${server.url}/send`);
    const body = await req.send();
    expect(body.url).toBe('/send');
    const viaThen = await new Promise((resolve) => http.get(`${server.url}/then`).then(resolve));
    expect((viaThen as any).url).toBe('/then');
    expect(() => req.params({ a: 1 })).toThrow(/already sent/);
  });
});

describe('connection pool', () => {
  it('keeps working after closeHttp (a new pool is opened on demand)', async () => {
    const http = createHttpHelpers(testEnv());
    expect((await http.get(`${server.url}/before`)).url).toBe('/before');
    await closeHttp();
    expect((await http.get(`${server.url}/after`)).url).toBe('/after');
  });
});

describe('URLs and params', () => {
  it('resolves relative URLs against the base URI as a directory', async () => {
    const http = createHttpHelpers(testEnv({ baseUri: async () => `${server.url}/api/v1` }));
    expect((await http.get('contacts')).url).toBe('/api/v1/contacts');
    expect((await http.get('/root')).url).toBe('/root');
    expect((await http.get('../x')).url).toBe('/api/x');
  });

  it('fails a relative URL without base before sending', async () => {
    const http = createHttpHelpers(testEnv());
    await expect(http.get('contacts')).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
      message: expect.stringMatching(/connection\.baseUri/),
    });
  });

  it('turns GET data into query params merged with the URL query', async () => {
    const http = createHttpHelpers(testEnv());
    const res = await http.get(`${server.url}/q?x=0`, { a: [1, 2], f: { g: 'h i' }, n: null }).params({ p: 'more' });
    expect(res.url).toBe('/q?x=0&a=1&a=2&f[g]=h%20i&p=more');
  });

  it('uses DELETE, OPTIONS and HEAD data as params and POST/PUT/PATCH data as the JSON body', async () => {
    const http = createHttpHelpers(testEnv());
    expect((await http.delete(`${server.url}/d`, { id: 3 })).url).toBe('/d?id=3');
    expect((await http.options(`${server.url}/o`, { id: 4 })).method).toBe('OPTIONS');
    expect(await http.head(`${server.url}/h`, { id: 5 })).toBeNull();
    expect(last().url).toBe('/h?id=5');
    for (const method of ['post', 'put', 'patch'] as const) {
      const res = await http[method](`${server.url}/b`, { name: 'Ann' });
      expect(res.method).toBe(method.toUpperCase());
      expect(JSON.parse(res.body)).toEqual({ name: 'Ann' });
      expect(res.headers['content-type']).toBe('application/json');
    }
  });
});

describe('headers', () => {
  it('treats .headers() names case-insensitively (later wins) and sends them lower-cased', async () => {
    const http = createHttpHelpers(testEnv());
    await http
      .get(`${server.url}/h1`)
      .headers({ 'X-Thing': 'one', Accept: 'text/plain' })
      .headers({ 'x-THING': 'two' });
    const raw = last().rawHeaders;
    expect(raw).toContain('x-thing');
    expect(raw).not.toContain('X-Thing');
    expect(last().headers['x-thing']).toBe('two');
    expect(last().headers.accept).toBe('text/plain');
  });

  it('sends .caseSensitiveHeaders() names exactly as spelled', async () => {
    const http = createHttpHelpers(testEnv());
    await http.get(`${server.url}/h2`).caseSensitiveHeaders({ 'X-CamelCase-ID': 'abc', SOAPAction: 'urn:do' });
    const raw = last().rawHeaders;
    expect(raw[raw.indexOf('X-CamelCase-ID') + 1]).toBe('abc');
    expect(raw).toContain('SOAPAction');
  });

  it('sends a default user-agent that a request may replace', async () => {
    const http = createHttpHelpers(testEnv());
    await http.get(`${server.url}/ua`);
    expect(last().headers['user-agent']).toBe('weft');
    await http.get(`${server.url}/ua`).headers({ 'User-Agent': 'my-connector/1.0' });
    expect(last().headers['user-agent']).toBe('my-connector/1.0');
  });

  it('lets an explicit content-type replace the default one', async () => {
    const http = createHttpHelpers(testEnv());
    const res = await http.post(`${server.url}/ct`, { a: 1 }).headers({ 'Content-Type': 'application/vnd.api+json' });
    expect(res.headers['content-type']).toBe('application/vnd.api+json');
  });
});

describe('request formats', () => {
  it('builds XML bodies with a declaration, root and namespaces', async () => {
    const http = createHttpHelpers(testEnv());
    await http
      .post(`${server.url}/xml`, { item: [{ '@id': '1', name: 'A & B' }], count: 2 })
      .requestFormatXml('ns:list', { ns: 'urn:x' });
    expect(last().headers['content-type']).toBe('application/xml');
    expect(last().body.toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><ns:list xmlns:ns="urn:x"><item id="1"><name>A &amp; B</name></item><count>2</count></ns:list>',
    );
  });

  it('sends www-form-urlencoded bodies with nested keys and repeated arrays', async () => {
    const http = createHttpHelpers(testEnv());
    await http.post(`${server.url}/form`, { a: 'x y', b: { c: 1 }, d: [1, 2] }).requestFormatWwwFormUrlencoded();
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last().body.toString()).toBe('a=x+y&b[c]=1&d=1&d=2');
  });

  it('streams multipart bodies with text fields and file parts', async () => {
    const http = createHttpHelpers(testEnv());
    const file = Readable.from([Buffer.from('col1,col2\n'), Buffer.from('1,2\n')]);
    await http
      .post(`${server.url}/mp`, { title: 'Report', file: [file, 'text/csv', 'r.csv'] })
      .requestFormatMultipart();
    const type = last().headers['content-type']!;
    const boundary = /boundary=(\S+)/.exec(type)![1];
    expect(type.startsWith('multipart/form-data; boundary=')).toBe(true);
    const body = last().body.toString();
    expect(body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nReport\r\n`);
    expect(body).toContain('name="file"; filename="r.csv"\r\nContent-Type: text/csv\r\n\r\ncol1,col2\n1,2\n\r\n');
    expect(body.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(last().headers['transfer-encoding']).toBe('chunked');
  });

  it('sends raw bodies as they are, with content types by kind unless set', async () => {
    const http = createHttpHelpers(testEnv());
    await http.post(`${server.url}/raw`).requestBody('plain words');
    expect(last().headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(last().body.toString()).toBe('plain words');
    await http.put(`${server.url}/raw`).requestBody(new Uint8Array([0, 1, 2, 255]));
    expect(last().headers['content-type']).toBe('application/octet-stream');
    expect([...last().body]).toEqual([0, 1, 2, 255]);
    await http
      .post(`${server.url}/raw`)
      .requestBody(Readable.from([Buffer.from('st'), Buffer.from('ream')]))
      .headers({ 'content-type': 'text/csv' });
    expect(last().headers['content-type']).toBe('text/csv');
    expect(last().body.toString()).toBe('stream');
  });

  it('sends a string payload without a chosen format as raw text, but JSON-encodes it with requestFormatJson', async () => {
    const http = createHttpHelpers(testEnv());
    await http.post(`${server.url}/s`, 'hello');
    expect(last().body.toString()).toBe('hello');
    await http.post(`${server.url}/s`, 'hello').requestFormatJson();
    expect(last().body.toString()).toBe('"hello"');
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('merges .payload() objects and sends no body for a POST without payload', async () => {
    const http = createHttpHelpers(testEnv());
    const res = await http.post(`${server.url}/p`, { a: 1 }).payload({ b: 2 });
    expect(JSON.parse(res.body)).toEqual({ a: 1, b: 2 });
    await http.post(`${server.url}/p`);
    expect(last().body.length).toBe(0);
    expect(last().headers['content-type']).toBeUndefined();
  });
});
