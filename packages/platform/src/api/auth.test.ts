/**
 * Authentication is decided on the route the router matched, never on how the request spelled
 * its path: every `/api` route in the server's own route table refuses requests without the
 * admin token, whatever the encoding, case, dot segments or request-target form. And a server
 * bound to loopback answers only requests addressed to a loopback name (DNS rebinding).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RawRequest, rawRequest } from '../__fixtures__/raw-http.js';
import { type RunningServer, startServer } from '../serve.js';
import { buildApp } from './app.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
const PUBLIC = ['GET /api/health', 'GET /api/openapi.json'];

let server: RunningServer;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-auth-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {}, log: () => {} });
});
afterAll(async () => {
  await server.close();
});

const send = (request: RawRequest) => rawRequest(server.url, request);

/** The server's own route table: every `/api` route but the two public ones. */
function guardedRoutes(): { method: string; path: string }[] {
  const routes = (server.app as unknown as { weftRoutes: string[] }).weftRoutes;
  return routes
    .filter((r) => /^\w+ \/api\//.test(r) && !PUBLIC.includes(r))
    .map((r) => {
      const [method, url] = r.split(' ');
      return { method, path: url.replace(/:name\b/g, 'hooks').replace(/:(\w+)/g, 'x_$1') };
    });
}

/** The same route spelled in ways a string comparison of the raw URL would not see as `/api/...`. */
function spellings(path: string, origin: string): { target: string; matches: boolean }[] {
  const rest = path.slice('/api'.length);
  const segments = rest.split('/');
  const last = segments.at(-1)!;
  const encodedLast = `${segments.slice(0, -1).join('/')}/%${last.charCodeAt(0).toString(16)}${last.slice(1)}`;
  return [
    // The router decodes these and matches the route: they must be refused by the route's scope.
    { target: `/%61pi${rest}`, matches: true },
    { target: `/ap%69${rest}`, matches: true },
    { target: `/%61%70%69${rest}`, matches: true },
    { target: `/api${encodedLast}`, matches: true },
    { target: `${origin}${path}`, matches: true },
    { target: `${origin}/%61pi${rest}`, matches: true },
    { target: `${path}?token=x`, matches: true },
    // These may or may not match a route; either way they never answer without the token.
    { target: `/api%2F${rest.slice(1)}`, matches: false },
    { target: `/api%2f${rest.slice(1)}`, matches: false },
    { target: `//api${rest}`, matches: false },
    { target: `/api/../api${rest}`, matches: false },
    { target: `/api/./${rest.slice(1)}`, matches: false },
    { target: `/x/..%2Fapi${rest}`, matches: false },
    { target: `/API${rest}`, matches: false },
    { target: `/Api${rest}`, matches: false },
    { target: `${path}/`, matches: false },
    { target: `${path};x`, matches: false },
  ];
}

describe('every /api route needs the admin token', () => {
  test('the route table holds the routes the API reference lists', () => {
    const routes = guardedRoutes().map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThan(20);
    for (const route of ['POST /api/connectors', 'GET /api/connections', 'POST /api/connectors/hooks/run']) {
      expect(routes).toContain(route);
    }
  });

  test('a server with an /api route outside the guarded scope refuses to start', async () => {
    const app = buildApp({ context: server.context, token: server.token.token });
    app.get('/api/stray', async () => ({ secret: true }));
    await expect(app.ready()).rejects.toThrow(/outside the authenticated scope: GET \/api\/stray/);
    await app.close().catch(() => {});
  });

  test('no token, a wrong token or a token without "Bearer" is a 401 on every route', async () => {
    for (const { method, path } of guardedRoutes()) {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', server.token.token]) {
        const res = await send({
          method,
          target: path,
          headers: {
            ...(authorization ? { authorization } : {}),
            ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
          },
          body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        });
        expect(res.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(JSON.parse(res.text).error.code).toBe('UNAUTHORIZED');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
  });

  test('encoded, dot-segment, doubled-slash, mixed-case and absolute-form spellings are refused too', async () => {
    const origin = server.url;
    for (const { method, path } of guardedRoutes()) {
      for (const { target, matches } of spellings(path, origin)) {
        const res = await send({
          method,
          target,
          headers: method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' },
          body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        });
        const where = `${method} ${target}`;
        if (matches) expect(res.status, where).toBe(401);
        else expect([401, 404], where).toContain(res.status);
        const code = JSON.parse(res.text).error.code;
        expect(code, where).toBe(res.status === 401 ? 'UNAUTHORIZED' : 'NOT_FOUND');
      }
    }
  });

  test('HEAD requests of every GET route are refused the same way', async () => {
    for (const { path } of guardedRoutes().filter((r) => r.method === 'GET')) {
      for (const target of [path, `/%61pi${path.slice(4)}`, `${server.url}${path}`]) {
        expect((await send({ method: 'HEAD', target })).status, `HEAD ${target}`).toBe(401);
      }
    }
  });

  test('with the token the same spellings reach the route, so the refusals above are the scope, not the router', async () => {
    const headers = { authorization: `Bearer ${server.token.token}` };
    for (const target of ['/api/connections', '/%61pi/connections', `${server.url}/api/connections`]) {
      const res = await send({ method: 'GET', target, headers });
      expect(res.status, target).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ items: [], nextCursor: null });
    }
  });

  test('health and the OpenAPI description stay public, however they are spelled', async () => {
    for (const target of ['/api/health', '/%61pi/health', `${server.url}/api/health`]) {
      const res = await send({ method: 'GET', target });
      expect(res.status, target).toBe(200);
    }
    expect((await send({ method: 'GET', target: '/api/openapi.json' })).status).toBe(200);
  });

  test('/mcp, however spelled, needs the admin token or a scoped MCP token', async () => {
    const targets = ['/mcp', '/%6dcp', '/m%63p', `${server.url}/mcp`, `${server.url}/%6Dcp`, '/mcp?token=x'];
    for (const method of ['POST', 'GET', 'DELETE']) {
      for (const target of targets) {
        for (const authorization of [undefined, 'Bearer weft_mcp_made-up-token', server.token.token]) {
          const res = await send({
            method,
            target,
            headers: {
              ...(authorization ? { authorization } : {}),
              ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
            },
            body: method === 'POST' ? '{}' : undefined,
          });
          expect(res.status, `${method} ${target} with ${authorization}`).toBe(401);
          expect(JSON.parse(res.text).error.code).toBe('UNAUTHORIZED');
        }
      }
    }
    // With the admin token the same spellings reach the route (stateless: GET is not allowed).
    for (const target of targets) {
      const res = await send({ method: 'GET', target, headers: { authorization: `Bearer ${server.token.token}` } });
      expect(res.status, target).toBe(405);
    }
  });

  test('a server with an /mcp route outside its scope refuses to start', async () => {
    const app = buildApp({ context: server.context, token: server.token.token });
    app.get('/mcp/stray', async () => ({ secret: true }));
    await expect(app.ready()).rejects.toThrow(/outside the authenticated scope: GET \/mcp\/stray/);
    await app.close().catch(() => {});
  });

  test('webhooks, the OAuth callback and the console need no token', async () => {
    expect((await send({ method: 'GET', target: '/' })).status).toBe(200);
    const hook = await send({ method: 'POST', target: '/webhooks/static/nope', body: '{}' });
    expect(hook.status).toBe(404);
    expect(JSON.parse(hook.text).error.message).toMatch(/No connector named "nope"/);
    const callback = await send({ method: 'GET', target: '/oauth/callback' });
    expect(callback.status).toBe(400);
    expect(callback.text).toMatch(/carries no state/);
  });
});

describe('a route of a role the process does not play is a 421, decided on the route matched', () => {
  let worker: RunningServer;
  beforeAll(async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-roles-'));
    worker = await startServer({
      port: 0,
      home,
      connectorDirs: FIXTURES,
      env: {},
      roles: ['worker'],
      onWarning: () => {},
    });
  });
  afterAll(async () => {
    await worker.close();
  });
  const sendTo = (request: RawRequest) => rawRequest(worker.url, request);

  test('every /api route, however spelled, with or without the token: 421 ROLE_NOT_SERVED naming the roles', async () => {
    const routes = [...guardedRoutes(), ...PUBLIC.map((r) => ({ method: 'GET', path: r.split(' ')[1] }))];
    for (const { method, path } of routes) {
      for (const { target, matches } of [{ target: path, matches: true }, ...spellings(path, worker.url)]) {
        for (const authorization of [undefined, `Bearer ${worker.token.token}`]) {
          const res = await sendTo({
            method,
            target,
            headers: {
              ...(authorization ? { authorization } : {}),
              ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
            },
            body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
          });
          const where = `${method} ${target}`;
          if (matches) expect(res.status, where).toBe(421);
          else expect([421, 404], where).toContain(res.status);
          if (res.status === 421) {
            const { error } = JSON.parse(res.text);
            expect(error.code, where).toBe('ROLE_NOT_SERVED');
            expect(error.message, where).toMatch(/"api" role.*it plays: worker/);
          }
        }
      }
    }
  });

  test('webhooks, resumes, the OAuth callback and the console too; the probes and /metrics are served', async () => {
    for (const [method, target] of [
      ['POST', '/webhooks/static/nope'],
      ['POST', '/webhooks/recipes/rcp_x/secret'],
      ['POST', '/webhooks/resume/job_x/0123456789abcdef0123'],
      ['POST', '/mcp'],
      ['POST', '/%6dcp'],
      ['GET', '/oauth/callback'],
      ['GET', '/'],
      ['GET', '/%69ndex.html'],
    ]) {
      const res = await sendTo({ method, target, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, target).toBe(421);
    }
    expect((await sendTo({ method: 'GET', target: '/healthz' })).status).toBe(200);
    expect((await sendTo({ method: 'GET', target: '/readyz' })).status).toBe(200);
    expect((await sendTo({ method: 'GET', target: '/metrics' })).status).toBe(200);
    expect((await sendTo({ method: 'GET', target: '/nowhere' })).status).toBe(404);
  });
});

describe('the Host header, when bound to loopback (DNS rebinding)', () => {
  test('loopback names and addresses are served: the console, the API and webhooks', async () => {
    const port = new URL(server.url).port;
    const created = await call('POST', '/api/connections', {
      name: 'hooks-local',
      connector: 'hooks',
      values: { account: 'acct-local' },
    });
    expect(created.status).toBe(201);
    const recipe = await call('POST', '/api/recipes', {
      name: 'Local hook',
      trigger: { connector: 'hooks', connection: 'hooks-local', trigger: 'account_event' },
      steps: [],
    });
    expect((await call('POST', `/api/recipes/${recipe.body.id}/start`)).status).toBe(200);

    let n = 0;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'localhost',
      `LOCALHOST:${port}`,
      `weft.localhost:${port}`,
      `127.0.0.2:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await send({ method: 'GET', target: '/', host })).status, host).toBe(200);
      expect((await send({ method: 'GET', target: '/api/health', host })).status, host).toBe(200);
      const api = await send({
        method: 'GET',
        target: '/api/connections',
        host,
        headers: { authorization: `Bearer ${server.token.token}` },
      });
      expect(api.status, host).toBe(200);
      const hook = await send({
        method: 'POST',
        target: '/webhooks/static/hooks',
        host,
        headers: { 'content-type': 'application/json', 'x-hooks-account': 'acct-local' },
        body: JSON.stringify({ id: `evt-${++n}` }),
      });
      expect(hook.status, `${host}: ${hook.text}`).toBe(200);
    }
    const jobs = await server.store.listJobs({ limit: 100, recipeId: recipe.body.id });
    expect(jobs.items).toHaveLength(n);
  });

  test('any other name is a 403 HOST_NOT_ALLOWED before anything else runs', async () => {
    const token = { authorization: `Bearer ${server.token.token}` };
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example', '0.0.0.0', '192.168.1.20', '']) {
      for (const target of ['/', '/api/health', '/api/connections', '/webhooks/static/hooks', '/nothing']) {
        const res = await send({ method: 'GET', target, host, headers: token });
        expect(res.status, `${host} ${target}`).toBe(403);
        const error = JSON.parse(res.text).error;
        expect(error.code).toBe('HOST_NOT_ALLOWED');
        expect(error.message).toMatch(/WEFT_ALLOWED_HOSTS/);
      }
    }
    // An absolute-form target names the host too: it must be allowed as well.
    const absolute = await send({ method: 'GET', target: 'http://evil.example/api/health' });
    expect(absolute.status).toBe(403);
    expect(JSON.parse(absolute.text).error.code).toBe('HOST_NOT_ALLOWED');
  });

  test("the agents' WebSocket upgrade checks Host first: a foreign name is a 403 before the key is looked at", async () => {
    const { body } = await call('POST', '/api/agents', { name: 'host-check', group: 'hosts' });
    const { port } = new URL(server.url);
    /** The status of an upgrade to /agents/connect sent with this Host and key, and its error code. */
    const upgrade = (host: string, key: string) =>
      new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/agents/connect`, {
          headers: { host, authorization: `Bearer ${key}` },
        });
        ws.on('unexpected-response', (_req, res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, code: JSON.parse(text).error.code }));
        });
        ws.on('open', () => {
          ws.terminate();
          resolve({ status: 101 });
        });
        ws.on('error', reject);
      });
    for (const host of ['evil.example', `evil.example:${port}`, '192.168.1.20']) {
      expect(await upgrade(host, body.key), host).toEqual({ status: 403, code: 'HOST_NOT_ALLOWED' });
      expect(await upgrade(host, 'weft_agent_made-up'), host).toEqual({ status: 403, code: 'HOST_NOT_ALLOWED' });
    }
    expect(await upgrade(`127.0.0.1:${port}`, 'weft_agent_made-up')).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await upgrade(`localhost:${port}`, body.key)).toEqual({ status: 101 });
  });

  test('a WEFT_ALLOWED_HOSTS entry that is not a host name stops the start with a clear message', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-auth-bad-hosts-'));
    for (const [env, message] of [
      [{ WEFT_ALLOWED_HOSTS: 'ok.example, https://x.example/' }, /WEFT_ALLOWED_HOSTS holds "https:\/\/x.example\/"/],
      [{ WEFT_PUBLIC_URL: 'https://[bad' }, /WEFT_PUBLIC_URL must be an absolute http\(s\) URL/],
    ] as const) {
      await expect(
        startServer({ port: 0, home, connectorDirs: FIXTURES, env: { ...env }, onWarning: () => {} }),
      ).rejects.toMatchObject({ code: 'SETTINGS_INVALID', message: expect.stringMatching(message) });
    }
  });

  test("WEFT_PUBLIC_URL's host and WEFT_ALLOWED_HOSTS are accepted as well", async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-auth-hosts-'));
    const other = await startServer({
      port: 0,
      home,
      connectorDirs: FIXTURES,
      env: { WEFT_PUBLIC_URL: 'https://weft.example.com', WEFT_ALLOWED_HOSTS: 'a.example, B.example:8443' },
      onWarning: () => {},
    });
    try {
      const status = async (host: string) => (await rawRequest(other.url, { method: 'GET', target: '/', host })).status;
      expect(await status('weft.example.com')).toBe(200);
      expect(await status('weft.example.com:443')).toBe(200);
      expect(await status('a.example')).toBe(200);
      expect(await status('b.example:8443')).toBe(200);
      expect(await status('localhost')).toBe(200);
      expect(await status('c.example')).toBe(403);
    } finally {
      await other.close();
    }
  });
});
