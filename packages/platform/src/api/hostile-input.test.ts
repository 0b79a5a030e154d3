/**
 * What a careless client or an attacker sends, answered through the public HTTP interface: one
 * specific 4xx in the API's error shape (`{ error: { code, message } }`), never a 500, never a
 * framework's own body, and nothing stored, dropped or mangled on the way. Paths, methods, bodies
 * and query strings the router or the HTTP parser refuse are answered like the routes' own
 * errors; bodies that are not UTF-8 JSON are refused, not decoded into replacement characters;
 * query parameters and bodies a route does not take are refused, not ignored.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RawRequest, rawRequest } from '../__fixtures__/raw-http.js';
import { type RunningServer, startServer } from '../serve.js';
import { buildApp } from './app.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];

let server: RunningServer;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-hostile-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {}, log: vi.fn() });
  expect(
    (await call('POST', '/api/connections', { name: 'shop-h', connector: 'shop', values: { api_key: 'k' } })).status,
  ).toBe(201);
});
afterAll(async () => {
  await server.close();
});

const admin = () => ({ authorization: `Bearer ${server.token.token}` });
const json = () => ({ ...admin(), 'content-type': 'application/json' });

/** A raw request whose answer must be one error in the API's shape; answers `{ status, error }`. */
async function refused(
  request: RawRequest,
): Promise<{ status: number; error: { code: string; message: string; path?: string } }> {
  const res = await rawRequest(server.url, request);
  const where = `${request.method} ${request.target.slice(0, 80)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  const body = JSON.parse(res.text);
  expect(Object.keys(body), where).toEqual(['error']);
  expect(typeof body.error.code, where).toBe('string');
  expect(typeof body.error.message, where).toBe('string');
  expect(res.text, where).not.toMatch(/FST_|statusCode|\n\s+at /);
  return { status: res.status, error: body.error };
}

async function connectionNames(): Promise<string[]> {
  return (await call('GET', '/api/connections')).body.items.map((c: { name: string }) => c.name);
}

describe('paths and requests the router or the HTTP parser refuse', () => {
  test('a malformed percent-encoding in the path is a 400 INVALID_URL, on every kind of route', async () => {
    for (const target of [
      '/api/connections/%zz',
      '/api/connections/%',
      '/api/recipes/%C0%AE/start',
      '/api/jobs/%FF',
      '/webhooks/static/%E0%A4',
      '/assets/%c0%ae%c0%ae/etc/passwd',
    ]) {
      const method = target.endsWith('/start') ? 'POST' : 'GET';
      const { status, error } = await refused({ method, target, headers: admin() });
      expect(status, target).toBe(400);
      expect(error.code, target).toBe('INVALID_URL');
      expect(error.message, target).toMatch(/percent-encod/);
    }
  });

  test('a name or id longer than any there can be is a 414 PATH_SEGMENT_TOO_LONG that does not echo it', async () => {
    for (const target of [
      `/api/connections/${'x'.repeat(10_000)}`,
      `/api/recipes/${'x'.repeat(101)}`,
      `/webhooks/static/${'x'.repeat(5000)}`,
    ]) {
      const { status, error } = await refused({ method: 'GET', target, headers: admin() });
      expect(status, target.slice(0, 40)).toBe(414);
      expect(error.code).toBe('PATH_SEGMENT_TOO_LONG');
      expect(error.message).toMatch(/100 characters/);
      expect(error.message.length).toBeLessThan(400);
    }
  });

  test('a request that is not HTTP/1.1 (a lower-case or unknown method) is a 400 MALFORMED_REQUEST', async () => {
    for (const method of ['get', 'FOO']) {
      const { status, error } = await refused({ method, target: '/api/connections', headers: admin() });
      expect(status).toBe(400);
      expect(error.code).toBe('MALFORMED_REQUEST');
    }
  });
});

describe("Weft's own faults", () => {
  test('are a 500 INTERNAL naming no detail, and the operational log has the detail (not the URL)', async () => {
    // A route with a bug, on an app of this server's context: a fault no request can cause today.
    const app = buildApp({ context: server.context, token: server.token.token });
    app.get('/webhooks/faulty/:secret', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id') at /srv/weft/dist/x.js:1:2");
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const log = vi.mocked(server.context.log);
    log.mockClear();
    try {
      const { port } = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/faulty/the-secret-part`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'INTERNAL', message: 'Weft failed to handle this request; the server log has the details' },
      });
      expect(text).not.toMatch(/TypeError|srv|reading/);
      const entry = log.mock.calls.find(([level]) => level === 'error');
      expect(entry, JSON.stringify(log.mock.calls)).toBeDefined();
      expect(JSON.stringify(entry)).toMatch(/GET \/webhooks\/faulty\/:secret.*Cannot read properties of undefined/);
      expect(JSON.stringify(log.mock.calls)).not.toContain('the-secret-part');
    } finally {
      await app.close();
    }
  });
});

describe('API bodies that are not UTF-8 JSON are refused, not mangled', () => {
  test('bytes that are not UTF-8 are a 415, and nothing is created', async () => {
    // "café" in Latin-1: decoded as UTF-8 it would be stored as "caf\uFFFD".
    const body = Buffer.concat([
      Buffer.from('{"name":"latin","connector":"shop","values":{"api_key":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}}'),
    ]);
    const { status, error } = await refused({ method: 'POST', target: '/api/connections', headers: json(), body });
    expect(status).toBe(415);
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/not UTF-8/);
    expect(await connectionNames()).not.toContain('latin');
  });

  test('a charset other than UTF-8 is a 415 naming it', async () => {
    for (const charset of ['iso-8859-1', 'utf-16', 'latin1']) {
      const { status, error } = await refused({
        method: 'POST',
        target: '/api/connections',
        headers: { ...admin(), 'content-type': `application/json; charset=${charset}` },
        body: JSON.stringify({ name: `cs-${charset}`, connector: 'shop', values: { api_key: 'k' } }),
      });
      expect(status, charset).toBe(415);
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toContain(charset);
    }
    // UTF-8 spelled any way is fine.
    for (const [i, charset] of ['utf-8', 'UTF-8', 'utf8', '"utf-8"'].entries()) {
      const res = await rawRequest(server.url, {
        method: 'POST',
        target: '/api/connections',
        headers: { ...admin(), 'content-type': `application/json; charset=${charset}` },
        body: JSON.stringify({ name: `utf-${i}`, connector: 'shop', values: { api_key: 'k' } }),
      });
      expect(res.status, charset).toBe(201);
    }
    expect((await connectionNames()).filter((n) => n.startsWith('cs-'))).toEqual([]);
  });

  test('a compressed body is a 415 saying to send it uncompressed, not "not valid JSON"', async () => {
    const body = gzipSync(JSON.stringify({ name: 'zipped', connector: 'shop', values: { api_key: 'k' } }));
    const res = await fetch(`${server.url}/api/connections`, {
      method: 'POST',
      headers: { ...json(), 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(415);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/Content-Encoding "gzip".*uncompressed/);
    expect(await connectionNames()).not.toContain('zipped');
  });

  test('a body over the limit is a 413 saying what the limit is', async () => {
    const body = JSON.stringify({ name: 'big', connector: 'shop', values: { api_key: 'k'.repeat(1024 * 1024) } });
    const res = await fetch(`${server.url}/api/connections`, { method: 'POST', headers: json(), body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        code: 'BODY_TOO_LARGE',
        message: 'The request body is larger than this route accepts (at most 1 MiB): send less',
      },
    });
  });

  test('a "__proto__" key is refused by name, not called invalid JSON', async () => {
    for (const body of [
      '{"name":"p","connector":"shop","__proto__":{"admin":true}}',
      '{"name":"p","connector":"shop","values":{"constructor":{"prototype":{"admin":true}}}}',
    ]) {
      const { status, error } = await refused({ method: 'POST', target: '/api/connections', headers: json(), body });
      expect(status).toBe(400);
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/__proto__|prototype/);
      expect(error.message).not.toMatch(/not valid JSON/);
    }
  });
});

describe('what a route does not take is refused, not ignored', () => {
  test('an unknown query parameter is a 400 naming it, on lists with and without filters', async () => {
    const status = await call('GET', '/api/connections?status=running');
    expect(status).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'status' } } });
    expect(status.body.error.message).toMatch(/"limit", "cursor"/);
    const typo = await call('GET', '/api/recipes?stauts=running');
    expect(typo).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'stauts' } } });
    for (const path of ['/api/agents?limit=5', '/api/connectors?cursor=x', '/api/connections/shop-h?fields=name']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toMatch(/takes no query parameters/);
    }
    // The parameters a route takes still work.
    expect((await call('GET', '/api/connections?limit=1')).status).toBe(200);
    expect((await call('GET', '/api/recipes?status=running')).status).toBe(200);
  });

  test('a body sent to a route that takes none is a 400; no body or {} is fine', async () => {
    const res = await call('POST', '/api/connections/shop-h/test', { values: { api_key: 'other' } });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect(res.body.error.message).toMatch(/POST \/api\/connections\/:name\/test takes no request body/);
    for (const body of ['[1]', 'null', '"x"']) {
      expect((await call('POST', '/api/connections/shop-h/test', body)).status, body).toBe(400);
    }
    expect((await call('POST', '/api/connections/shop-h/test')).status).toBe(200);
    expect((await call('POST', '/api/connections/shop-h/test', {})).status).toBe(200);
    expect((await call('POST', '/api/connections/shop-h/test', '')).status).toBe(200);
    const del = await call('DELETE', '/api/connections/shop-h', { force: true });
    expect(del.status).toBe(400);
    expect(await connectionNames()).toContain('shop-h');
  });
});

describe('/mcp with malformed JSON-RPC', () => {
  async function rpc(message: unknown) {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...json(), accept: 'application/json, text/event-stream' },
      body: JSON.stringify(message),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  test('params of the wrong shape are -32602 Invalid params naming the field, not an internal error', async () => {
    for (const [message, field] of [
      [
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'shop-h__get_order', arguments: 'x' } },
        'params.arguments',
      ],
      [{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { arguments: {} } }, 'params.name'],
      [{ jsonrpc: '2.0', id: 3, method: 'initialize', params: {} }, 'params.protocolVersion'],
    ] as const) {
      const { status, body } = await rpc(message);
      expect(status).toBe(200);
      expect(body.id).toBe(message.id);
      expect(body.error.code, JSON.stringify(body)).toBe(-32602);
      expect(body.error.message).toContain(field);
      expect(body.error.message).not.toMatch(/invalid_type|"expected"|\n/);
    }
    // Well-formed calls still work.
    const listed = await rpc({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect(listed.body.result.tools.map((t: { name: string }) => t.name)).toContain('shop-h__get_order');
  });
});
