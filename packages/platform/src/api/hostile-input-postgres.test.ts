/**
 * Hostile input against the PostgreSQL store, which refuses what SQLite takes: the character
 * U+0000 (NUL) in text, and `\u0000` in JSON it casts to `jsonb`. A NUL in a name or id the API
 * looks up is a 400 naming it, never a 500; a recipe holding one is refused (stored, it would stop
 * every claim of the queue), while events holding one are kept as sent.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { startTestDatabase, type TestDatabase } from '../__fixtures__/postgres.js';
import { rawRequest } from '../__fixtures__/raw-http.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];

let database: TestDatabase;
let server: RunningServer;
const logged: unknown[][] = [];
const call = apiCaller(() => server);

beforeAll(async () => {
  database = await startTestDatabase();
  const home = await mkdtemp(join(tmpdir(), 'weft-hostile-pg-'));
  server = await startServer({
    port: 0,
    home,
    connectorDirs: FIXTURES,
    env: {},
    database: database.url,
    onWarning: () => {},
    log: (...entry) => logged.push(entry),
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.stop();
});

/** Polls the job until it has finished (generous bound: a loaded machine is slow, not wrong). */
async function finished(id: string): Promise<{ status: string }> {
  for (let i = 0; i < 600; i++) {
    const job = (await call('GET', `/api/jobs/${id}`)).body;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} did not finish: ${JSON.stringify(logged).slice(-600)}`);
}

describe('U+0000 (NUL) on PostgreSQL', () => {
  test('in a path name or id, or a query value, it is a 400 naming the parameter, on every guarded route', async () => {
    const routes = (server.app as unknown as { weftRoutes: string[] }).weftRoutes.filter((r) =>
      /^\w+ \/api\/.*:\w+/.test(r),
    );
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const [method, url] = route.split(' ');
      const target = url.replace(/:(\w+)/g, 'a%00b');
      const res = await rawRequest(server.url, {
        method,
        target,
        headers: {
          authorization: `Bearer ${server.token.token}`,
          ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
        },
        body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      });
      expect(res.status, `${method} ${target}`).toBe(400);
      const { error } = JSON.parse(res.text);
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/U\+0000/);
    }
    const jobs = await call('GET', '/api/jobs?recipeId=a%00b');
    expect(jobs).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'recipeId' } } });
  });

  test('in a name a body refers to, it is a 400, not a 500', async () => {
    for (const [path, body] of [
      ['/api/connectors/shop/run', { action: 'get_order', connection: 'x\u0000', input: { id: 1 } }],
      ['/api/connectors/shop/fields', { action: 'get_order', connection: 'x\u0000' }],
      ['/api/mcp-tokens', { name: 'm', connections: ['x\u0000'] }],
    ] as const) {
      const res = await call('POST', path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toMatch(/U\+0000/);
    }
  });

  test('in a recipe it is a 400 naming where (the queue reads definitions as jsonb); other recipes run', async () => {
    expect((await call('POST', '/api/connections', { name: 'hk', connector: 'hooks', values: {} })).status).toBe(201);
    const lab = { name: 'lab1', connector: 'lab', values: { base_url: 'http://127.0.0.1:1' } };
    expect((await call('POST', '/api/connections', lab)).status).toBe(201);
    const trigger = { connector: 'hooks', connection: 'hk', trigger: 'raw_event' };
    const note = { id: 'note', connector: 'lab', connection: 'lab1', action: 'record', input: { key: 'k\u0000' } };
    const refused = await call('POST', '/api/recipes', { name: 'with-nul', trigger, steps: [], onError: [note] });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', path: 'onError[0].input.key' } },
    });
    expect(refused.body.error.message).toMatch(/U\+0000/);
    expect((await call('GET', '/api/recipes')).body.items).toEqual([]);

    const created = await call('POST', '/api/recipes', { name: 'plain', trigger, steps: [] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await call('POST', `/api/recipes/${created.body.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const res = await fetch(started.body.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'a\u0000b',
    });
    expect(res.status).toBe(200);
    const [job] = (await call('GET', '/api/jobs')).body.items as { id: string }[];
    expect((await finished(job.id)).status).toBe('succeeded');
    expect(JSON.stringify(logged)).not.toMatch(/could not claim/);
  }, 60_000);
});
