import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, isWeftError } from '../errors.js';
import { Redactor } from '../redact.js';
import { json, startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';

let server: TestServer;
const send = (status: number, type: string | undefined, body: string | Buffer, headers: Record<string, string> = {}) =>
  ((_req: unknown, res: any) => {
    res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers });
    res.end(body);
  }) as any;

beforeAll(async () => {
  server = await startServer();
  server.on('/json', send(200, 'application/json; charset=utf-8', '{"a":1,"zip":"01234"}'));
  server.on('/vnd', send(200, 'application/vnd.api+json', '{"data":[]}'));
  server.on('/xml', send(200, 'text/xml', '<r a="1"><n>01234</n></r>'));
  server.on('/atom', send(200, 'application/atom+xml', '<feed><entry/></feed>'));
  server.on('/text', send(200, 'text/plain', 'hello'));
  server.on('/latin1', send(200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])));
  server.on('/bin', send(200, 'application/octet-stream', Buffer.from([1, 2, 3])));
  server.on('/empty-json', send(200, 'application/json', ''));
  server.on('/204', send(204, 'application/json', ''));
  server.on('/bad-json', send(200, 'application/json', '{"oops": '));
  server.on('/bad-xml', send(200, 'application/xml', '<a><b></a>'));
  server.on('/json-as-text', send(200, 'text/plain', '{"x":true}'));
  server.on('/404', (_req, res) => json(res, 404, { error: 'contact not found' }, { 'x-request-id': 'r1' }));
  server.on('/422', send(422, 'text/plain', 'name is invalid'));
  server.on('/500', send(500, 'text/plain', `boom secret-value-123 ${'x'.repeat(1000)}`));
  server.on('/redirect', send(302, 'text/plain', '', { location: '/json' }));
  server.on('/loop', send(302, 'text/plain', '', { location: '/loop2' }));
  server.on('/loop2', send(302, 'text/plain', '', { location: '/loop' }));
  server.on('/big', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let i = 0;
    const push = () => {
      while (i < 64) {
        i++;
        if (!res.write(Buffer.alloc(64 * 1024, i))) return void res.once('drain', push);
      }
      res.end();
    };
    push();
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

const http = createHttpHelpers(testEnv());
const u = (path: string) => `${server.url}${path}`;

describe('response formats by content type', () => {
  it('parses JSON and +json without turning strings into numbers', async () => {
    expect(await http.get(u('/json'))).toEqual({ a: 1, zip: '01234' });
    expect(await http.get(u('/vnd'))).toEqual({ data: [] });
  });

  it('parses XML (text/xml, +xml) by the lossless convention', async () => {
    expect(await http.get(u('/xml'))).toEqual({ r: [{ '@a': '1', n: [{ '#text': '01234' }] }] });
    expect(await http.get(u('/atom'))).toEqual({ feed: [{ entry: [{}] }] });
  });

  it('gives other text as a string (by charset) and binary as a Uint8Array', async () => {
    expect(await http.get(u('/text'))).toBe('hello');
    expect(await http.get(u('/latin1'))).toBe('café');
    const bin = await http.get(u('/bin'));
    expect(bin).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(bin)).toBe(false);
    expect([...bin]).toEqual([1, 2, 3]);
  });

  it('yields null for an empty JSON body and for 204', async () => {
    expect(await http.get(u('/empty-json'))).toBeNull();
    expect(await http.delete(u('/204'))).toBeNull();
  });

  it('reports malformed JSON and XML as RESPONSE_PARSE_ERROR with the request and an excerpt', async () => {
    await expect(http.get(u('/bad-json'))).rejects.toMatchObject({
      code: 'RESPONSE_PARSE_ERROR',
      message: `GET ${u('/bad-json')}: response is not valid JSON: {"oops":`,
    });
    await expect(http.get(u('/bad-xml'))).rejects.toMatchObject({
      code: 'RESPONSE_PARSE_ERROR',
      message: expect.stringMatching(/^GET .*\/bad-xml: response is not valid XML: .*closing tag/),
    });
  });
});

describe('forced response formats', () => {
  it('parses JSON whatever the content type with responseFormatJson', async () => {
    expect(await http.get(u('/json-as-text')).responseFormatJson()).toEqual({ x: true });
  });

  it('parses XML with namespaces stripped on request', async () => {
    server.on('/soap', send(200, 'text/plain', '<s:Envelope xmlns:s="urn:s"><s:Body><r>1</r></s:Body></s:Envelope>'));
    expect(await http.get(u('/soap')).responseFormatXml({ stripNamespaces: true })).toEqual({
      Envelope: [{ Body: [{ r: [{ '#text': '1' }] }] }],
    });
  });

  it('gives raw text or bytes', async () => {
    expect(await http.get(u('/json')).responseFormatRaw()).toBe('{"a":1,"zip":"01234"}');
    const bytes = await http.get(u('/json')).responseFormatRaw({ as: 'bytes' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).toString()).toBe('{"a":1,"zip":"01234"}');
    expect(await http.get(u('/bin')).responseFormatRaw()).toBeInstanceOf(Uint8Array);
  });

  it('streams the body as a Readable without buffering it first', async () => {
    const stream: Readable = await http.get(u('/big')).responseFormatStream();
    expect(typeof stream.pipe).toBe('function');
    // The response is 4 MiB; when the stream is handed over only a window of it has arrived.
    expect(stream.readableLength).toBeLessThan(4 * 1024 * 1024);
    let total = 0;
    for await (const chunk of stream) total += (chunk as Buffer).length;
    expect(total).toBe(64 * 64 * 1024);
  });
});

describe('afterResponse and afterErrorResponse', () => {
  it('shapes the result with code, parsed body and lower-cased headers', async () => {
    const out = await http
      .get(u('/json'))
      .afterResponse((code, body, headers) => ({ code, a: body.a, type: headers['content-type'] }));
    expect(out).toEqual({ code: 200, a: 1, type: 'application/json; charset=utf-8' });
  });

  it('handles matching error responses by status, RegExp, substring or a list', async () => {
    const byStatus = await http.get(u('/404')).afterErrorResponse(404, (code, body, headers, message) => ({
      code,
      body,
      id: headers['x-request-id'],
      message,
    }));
    expect(byStatus).toEqual({
      code: 404,
      body: { error: 'contact not found' },
      id: 'r1',
      message: `GET ${u('/404')} failed with HTTP 404: contact not found`,
    });
    expect(await http.get(u('/404')).afterErrorResponse(/not found/i, () => 'regexp')).toBe('regexp');
    expect(await http.get(u('/422')).afterErrorResponse('invalid', () => 'substring')).toBe('substring');
    expect(await http.get(u('/422')).afterErrorResponse([400, 422], (c) => c)).toBe(422);
  });

  it('throws HttpError for an unmatched 4xx/5xx with status, headers, body and a redacted excerpt', async () => {
    const redactor = new Redactor(['secret-value-123']);
    const h = createHttpHelpers(testEnv({ redact: (s) => redactor.redact(s) }));
    const error = await h
      .get(u('/500'), { api_key: 'k' })
      .afterErrorResponse(404, () => 'no')
      .then(
        () => undefined,
        (e) => e,
      );
    expect(error).toBeInstanceOf(HttpError);
    expect(isWeftError(error) && error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(500);
    expect(error.method).toBe('GET');
    expect(error.url).toBe(`${u('/500')}?api_key=[REDACTED]`);
    expect(error.headers['content-type']).toBe('text/plain');
    expect(error.message).not.toContain('secret-value-123');
    expect(error.message).toContain('boom [REDACTED]');
    const excerpt = error.message.split('failed with HTTP 500: ')[1];
    expect(excerpt.length).toBeLessThanOrEqual(300);
    expect(error.body).toContain('boom');
  });
});

describe('redirects', () => {
  it('follows redirects by default', async () => {
    expect(await http.get(u('/redirect'))).toEqual({ a: 1, zip: '01234' });
  });

  it('returns the 3xx response itself with ignoreRedirection', async () => {
    const out = await http
      .get(u('/redirect'))
      .ignoreRedirection()
      .afterResponse((code, _body, headers) => ({ code, location: headers.location }));
    expect(out).toEqual({ code: 302, location: '/json' });
  });

  it('follows at most 5 redirects, then fails naming the redirect', async () => {
    server.on('/chain', (req: any, res: any) => {
      const n = Number(new URL(req.url, 'http://x').searchParams.get('n'));
      if (n === 0) return json(res, 200, { done: true });
      res.writeHead(302, { location: `/chain?n=${n - 1}` });
      res.end();
    });
    expect(await http.get(u('/chain?n=5'))).toEqual({ done: true });
    await expect(http.get(u('/chain?n=6'))).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      status: 302,
      message: expect.stringMatching(/redirect to \/chain\?n=0 not followed \(more than 5 redirects/),
    });
  });

  it('fails clearly on a redirect loop', async () => {
    await expect(http.get(u('/loop'))).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      message: expect.stringMatching(/redirect/i),
    });
  });

  it('turns a POST into a GET on 303 and keeps method and body on 307', async () => {
    server.on('/see-other', send(303, 'text/plain', '', { location: '/echo-after' }));
    server.on('/temp', send(307, 'text/plain', '', { location: '/echo-after' }));
    const afterSeeOther = await http.post(u('/see-other'), { a: 1 });
    expect([afterSeeOther.method, afterSeeOther.body, afterSeeOther.headers['content-type']]).toEqual([
      'GET',
      '',
      undefined,
    ]);
    const afterTemp = await http.post(u('/temp'), { a: 1 });
    expect([afterTemp.method, afterTemp.body]).toEqual(['POST', '{"a":1}']);
  });

  it('does not send credentials to another origin when redirected', async () => {
    const other = await startServer();
    try {
      server.on('/away', send(302, 'text/plain', '', { location: `${other.url}/landing` }));
      const res = await http.get(u('/away')).headers({ Authorization: 'Bearer abc', 'X-Keep': 'yes' });
      expect(res.url).toBe('/landing');
      expect(res.headers.authorization).toBeUndefined();
      expect(res.headers['x-keep']).toBe('yes');
    } finally {
      await other.close();
    }
  });

  it('follows redirects when streaming too', async () => {
    const stream = await http.get(u('/redirect')).responseFormatStream();
    let text = '';
    for await (const chunk of stream) text += chunk;
    expect(JSON.parse(text)).toEqual({ a: 1, zip: '01234' });
  });
});
