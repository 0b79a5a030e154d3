/**
 * The built-in schedule trigger in a cluster (real processes, one PostgreSQL): two schedulers
 * run a cron every second; only the leader fires, and when it is killed -9 the other takes over
 * within the lease. Every tick makes at most one job, and the ticks in the gap are accounted
 * for by one catch-up event.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ClusterNode, startCluster, type TestCluster } from './cluster-harness.js';

const BUILTINS = fileURLToPath(new URL('../../platform/builtins', import.meta.url));
const LEASE_MS = 4000;

interface Tick {
  scheduled_at: string;
  catch_up: boolean;
  missed_ticks: number;
}

let cluster: TestCluster;
let admin: ClusterNode;

beforeAll(async () => {
  cluster = await startCluster();
  admin = await cluster.node({ roles: 'api', connectors: [BUILTINS] });
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

async function ticks(recipeId: string): Promise<Tick[]> {
  const page = await cluster.call(admin.url, 'GET', `/api/jobs?recipeId=${recipeId}&limit=1000`);
  return (page.items as { trigger: Tick }[])
    .map((j) => j.trigger)
    .sort((a, b) => a.scheduled_at.localeCompare(b.scheduled_at));
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a cron every second fires once per tick through the leader, and across a kill -9 of the leader', async () => {
  const first = await cluster.node({ roles: 'scheduler', connectors: [BUILTINS] });
  const recipe = await cluster.call(admin.url, 'POST', '/api/recipes', {
    name: 'every second',
    trigger: { connector: 'schedule', trigger: 'on_schedule', input: { schedule_type: 'cron', cron: '* * * * * *' } },
    steps: [],
  });
  await cluster.call(admin.url, 'POST', `/api/recipes/${recipe.id}/start`);
  await until('the first ticks', async () => ((await ticks(recipe.id)).length >= 2 ? true : undefined), 20_000);
  const second = await cluster.node({ roles: 'scheduler', connectors: [BUILTINS] });
  const before = (await ticks(recipe.id)).length;
  await until(
    'ticks with two schedulers',
    async () => ((await ticks(recipe.id)).length >= before + 3 ? true : undefined),
    20_000,
  );
  await first.weft.stop('SIGKILL');
  const killed = (await ticks(recipe.id)).length;
  const after = await until(
    'ticks after the takeover',
    async () => {
      const list = await ticks(recipe.id);
      return list.length >= killed + 3 ? list : undefined;
    },
    LEASE_MS + 20_000,
  );
  await cluster.call(admin.url, 'POST', `/api/recipes/${recipe.id}/stop`);
  await second.weft.stop('SIGKILL');

  const times = after.map((t) => Date.parse(t.scheduled_at));
  expect(new Set(times).size).toBe(times.length);
  for (let i = 1; i < after.length; i++) {
    expect((times[i] - times[i - 1]) / 1000 - 1).toBe(after[i].missed_ticks);
  }
  // The takeover left a gap of a few seconds, fired once as a catch-up.
  expect(after.filter((t) => t.catch_up).length).toBeGreaterThanOrEqual(1);
}, 120_000);
