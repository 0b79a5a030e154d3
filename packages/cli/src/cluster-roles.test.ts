/**
 * A cluster of real `weft serve` processes on one PostgreSQL: what each role serves (421
 * `ROLE_NOT_SERVED` for the others), and changes made through one process followed by the
 * others — a recipe started on A receives webhooks on B, a connector pushed on A is listed on
 * B, an OAuth2 authorization started on A completes its callback on B.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENTS, startTestIssuer, type TestIssuer } from '../../sdk/src/auth/__fixtures__/oidc-provider.js';
import { type ClusterNode, startCluster, type TestCluster } from './cluster-harness.js';
import { runWeft } from './test-helpers.js';

const CALM = fileURLToPath(new URL('./__fixtures__/isolation', import.meta.url));
const PLATFORM_FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__', import.meta.url));
const CONNECTORS = [CALM, join(PLATFORM_FIXTURES, 'recipe-connectors')];

let cluster: TestCluster;
let a: ClusterNode;
let b: ClusterNode;
let worker: ClusterNode;
let issuer: TestIssuer;

beforeAll(async () => {
  cluster = await startCluster();
  issuer = await startTestIssuer();
  [a, b, worker] = await Promise.all([
    cluster.node({ roles: 'api,ingress', connectors: CONNECTORS }),
    cluster.node({ roles: 'api,ingress', connectors: CONNECTORS }),
    cluster.node({ roles: 'worker', connectors: CONNECTORS }),
  ]);
}, 120_000);
afterAll(async () => {
  await cluster?.close();
  await issuer?.close();
});

async function raw(base: string, method: string, path: string, body?: string) {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${cluster.env.WEFT_ADMIN_TOKEN}` },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

/** Retries `check` until it holds (changes reach the other processes over the bus). */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('roles', () => {
  test('a worker answers 421 ROLE_NOT_SERVED on the API, the console and webhooks, and serves the probes', async () => {
    const api = await raw(worker.url, 'GET', '/api/recipes');
    expect(api.status).toBe(421);
    const error = JSON.parse(api.text).error;
    expect(error.code).toBe('ROLE_NOT_SERVED');
    expect(error.message).toMatch(/"api" role/);
    expect(error.message).toMatch(/it plays: worker/);
    // Decided on the route matched, however its path is spelled.
    expect((await raw(worker.url, 'GET', '/%61pi/recipes')).status).toBe(421);
    expect((await raw(worker.url, 'GET', '/')).status).toBe(421);
    expect((await raw(worker.url, 'GET', '/oauth/callback')).status).toBe(421);
    const hook = await raw(worker.url, 'POST', '/webhooks/recipes/rcp_x/secret', '{}');
    expect(hook.status).toBe(421);
    expect(JSON.parse(hook.text).error.message).toMatch(/"ingress" role/);
    expect((await raw(worker.url, 'POST', '/webhooks/resume/job_x/0123456789abcdef0123', '{}')).status).toBe(421);
    expect((await raw(worker.url, 'GET', '/healthz')).status).toBe(200);
    expect((await raw(worker.url, 'GET', '/readyz')).status).toBe(200);
    expect((await raw(worker.url, 'GET', '/metrics')).status).toBe(200);
    // A route no process has stays a 404.
    expect((await raw(worker.url, 'GET', '/nowhere')).status).toBe(404);
    expect(worker.weft.stdout()).toMatch(/roles: worker/);
  });

  test('a --role that is not a role stops the start with exit code 2 and the message', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-role-'));
    const run = await runWeft(['serve', '--port', '0', '--role', 'api,chef'], {
      env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: 'role-test-token-0123456789' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--role lists "chef", which is not a role: use one or more of api, ingress, scheduler, worker/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('changes made on one process, followed by the others', () => {
  test('a recipe started through A receives webhooks on B; stopped through A, B answers 404', async () => {
    await cluster.call(a.url, 'POST', '/api/connections', { name: 'calm', connector: 'calm', values: {} });
    const recipe = await cluster.call(a.url, 'POST', '/api/recipes', {
      name: 'echo',
      trigger: { connector: 'calm', connection: 'calm', trigger: 'hook', input: {} },
      steps: [
        { id: 'echo', connector: 'calm', connection: 'calm', action: 'echo', input: { value: '=trigger.value' } },
      ],
    });
    await cluster.call(a.url, 'POST', `/api/recipes/${recipe.id}/start`);
    const path = new URL(recipe.webhookUrl).pathname;
    await eventually(async () => {
      const res = await raw(b.url, 'POST', path, JSON.stringify({ value: 1 }));
      expect(res.status).toBe(200);
    });
    const jobs = await cluster.call(b.url, 'GET', `/api/jobs?recipeId=${recipe.id}&limit=100`);
    expect(jobs.items).toHaveLength(1);

    await cluster.call(a.url, 'POST', `/api/recipes/${recipe.id}/stop`);
    await eventually(async () => {
      expect((await raw(b.url, 'POST', path, JSON.stringify({ value: 2 }))).status).toBe(404);
    });
  });

  test('a connector pushed through A is listed on B', async () => {
    const work = await mkdtemp(join(tmpdir(), 'weft-push-'));
    const project = join(work, 'notes');
    await cp(join(PLATFORM_FIXTURES, 'push', 'notes'), project, { recursive: true });
    const pushed = await runWeft(['push', project, '--server', a.url, '--token', cluster.env.WEFT_ADMIN_TOKEN], {
      cwd: work,
      env: { WEFT_URL: '', WEFT_TOKEN: '', WEFT_HOME: '' },
    });
    expect(pushed.stderr).toBe('');
    await eventually(async () => {
      const listed = await cluster.call(b.url, 'GET', '/api/connectors/notes');
      expect(listed).toMatchObject({ name: 'notes', version: 1 });
    });
  });

  test('an OAuth2 authorization started on A completes its callback on B', async () => {
    await cluster.call(a.url, 'POST', '/api/connections', {
      name: 'confidential',
      connector: 'oauth-app',
      values: { issuer: issuer.issuer, client_id: CLIENTS.confidential.id, client_secret: CLIENTS.confidential.secret },
    });
    const started = await request(`${a.url}/api/connections/confidential/oauth2/start`, {
      headers: { authorization: `Bearer ${cluster.env.WEFT_ADMIN_TOKEN}`, accept: 'application/json' },
    });
    const { authorizationUrl } = (await started.body.json()) as { authorizationUrl: string };
    const callback = new URL(await issuer.authorize(authorizationUrl));
    expect(callback.origin).toBe(a.url);
    // The browser lands on B (behind a load balancer, any api process).
    const landed = await raw(b.url, 'GET', `${callback.pathname}${callback.search}`);
    expect(landed.text).toContain('Connected confidential.');
    expect(landed.status).toBe(200);
    // Each state works once, on any process.
    expect((await raw(a.url, 'GET', `${callback.pathname}${callback.search}`)).text).toMatch(/used already/);
    const tested = await cluster.call(a.url, 'POST', '/api/connections/confidential/test');
    expect(tested).toEqual({ ok: true, message: 'The connection works' });
  });
});
