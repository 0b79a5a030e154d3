/**
 * The console's server side: static serving (packages/platform/src/api/console.ts) and the SDK
 * console's run route (packages/platform/src/api/run.ts), against the real platform.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerConsoleRoutes } from '../../platform/src/api/console.js';
import { type RunningServer, startServer } from '../../platform/src/serve.js';
import { API_KEY, type FakeApi, startFakeApi } from './fake-api.js';
import { callApi, ensureConsoleBuilt, FIXTURES } from './harness.js';

let server: RunningServer;
let api: FakeApi;
let home: string;

const call = (method: string, path: string, body?: unknown, token = server.token.token) =>
  callApi(server.url, token, method, path, body);

beforeAll(async () => {
  await ensureConsoleBuilt();
  home = await mkdtemp(join(tmpdir(), 'weft-console-server-'));
  api = await startFakeApi();
  server = await startServer({ port: 0, home, connectorDirs: [FIXTURES], env: {}, onWarning: () => {} });
  for (const [name, key] of [
    ['crm-main', API_KEY],
    ['crm-bad', 'wrong-key-456789'],
  ]) {
    const res = await call('POST', '/api/connections', {
      name,
      connector: 'crm',
      values: { base_url: api.url, api_key: key },
    });
    expect(res.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await api?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('serving the console', () => {
  test('/ is the console page, without a token, never cached, with a strict CSP', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain('<div id="root"></div>');
    expect((await fetch(`${server.url}/index.html`)).status).toBe(200);
  });

  test('hashed assets have their content type and are cached for good', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const js = await fetch(`${server.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${server.url}${style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  test('missing assets, paths out of the folder and unknown API routes are JSON 404s', async () => {
    // Sent as they are (a browser would normalize the dot segments away).
    for (const url of ['/assets/nope.js', '/assets/..%2f..%2fpackage.json', '/assets/..%2findex.html']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const res = await call('GET', '/api/nothing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  test('an unbuilt console answers / with how to build it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'weft-no-console-'));
    const app = Fastify();
    registerConsoleRoutes(app, { dir: join(empty, 'dist') });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
    expect(res.body).toContain('not built');
    await mkdir(join(empty, 'dist', 'assets'), { recursive: true });
    await writeFile(join(empty, 'dist', 'index.html'), '<p>built</p>');
    expect((await app.inject({ method: 'GET', url: '/' })).body).toBe('<p>built</p>');
    await app.close();
    await rm(empty, { recursive: true, force: true });
  });
});

describe('POST /api/connectors/:name/run', () => {
  test('runs an action with a connection and returns the output and the redacted exchanges', async () => {
    const res = await call('POST', '/api/connectors/crm/run', {
      connection: 'crm-main',
      action: 'create_contact',
      configFields: { object_type: 'person' },
      input: { object_type: 'person', email: 'lin@example.com', country: 'FR' },
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toMatchObject({ email: 'lin@example.com', country: 'FR' });
    const post = res.body.exchanges.find((x: { method: string }) => x.method === 'POST');
    expect(post).toMatchObject({ status: 201, url: `${api.url}contacts` });
    expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    expect(Object.values(post.requestHeaders)).toContain('[REDACTED]');
  });

  test('needs the token', async () => {
    const res = await call('POST', '/api/connectors/crm/run', { action: 'all_controls' }, 'wrong-token-0123456789');
    expect(res.status).toBe(401);
  });

  test('refuses bad requests with the path of the bad value', async () => {
    const cases: Array<[unknown, number, string, string | undefined]> = [
      [{ connection: 'crm-main' }, 400, 'INVALID_REQUEST', 'action'],
      [{ action: 'all_controls' }, 400, 'INVALID_REQUEST', 'connection'],
      [{ connection: 'crm-main', action: 'nope' }, 404, 'UNKNOWN_PATH', 'action'],
      [{ connection: 'nobody', action: 'all_controls' }, 404, 'CONNECTION_NOT_FOUND', 'connection'],
      [{ connection: 'crm-main', action: 'all_controls', input: [] }, 400, 'INVALID_REQUEST', 'input'],
      [{ connection: 'crm-main', action: 'all_controls', extra: 1 }, 400, 'INVALID_REQUEST', 'extra'],
      [{ connection: 'crm-main', action: 'all_controls', input: {} }, 400, 'INPUT_INVALID', 'input.title'],
    ];
    for (const [body, status, code, path] of cases) {
      const res = await call('POST', '/api/connectors/crm/run', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error, JSON.stringify(body)).toMatchObject({ code, ...(path ? { path } : {}) });
    }
    const unknown = await call('POST', '/api/connectors/nope/run', { action: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('CONNECTOR_NOT_FOUND');
    const other = await call('POST', '/api/connectors/signups/run', { connection: 'crm-main', action: 'x' });
    expect(other.status).toBe(404);
  });

  test("a failing action answers 422 with the connector's redacted message and the exchanges", async () => {
    const res = await call('POST', '/api/connectors/crm/run', {
      connection: 'crm-bad',
      action: 'create_contact',
      configFields: { object_type: 'person' },
      input: { object_type: 'person', email: 'x@example.com' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('HTTP_ERROR');
    expect(res.body.error.message).toContain('401');
    expect(res.body.exchanges.length).toBeGreaterThan(0);
    expect(res.body.exchanges[0].status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain('wrong-key-456789');
  });
});
