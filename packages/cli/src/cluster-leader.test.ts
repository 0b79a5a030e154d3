/**
 * A cluster under failure (real processes, one PostgreSQL, kill -9): the scheduler's leader
 * killed in the middle of a poll cycle is replaced within the lease and each polled event makes
 * exactly one job; an ingress process killed in the middle of a burst of webhooks loses none
 * it answered 2xx. No worker runs here: the jobs are counted as rows.
 */
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ClusterNode, startCluster, type TestCluster } from './cluster-harness.js';
import { json, startServer, type TestServer } from './test-helpers.js';

const RELAY = fileURLToPath(new URL('./__fixtures__/reliability', import.meta.url));
const LEASE_MS = 4000;
const HEARTBEAT_MS = 1000;

let cluster: TestCluster;
let admin: ClusterNode;
let api: TestServer;
const TOTAL = 1000;
/** When each `/items` page was asked for. */
const polled: number[] = [];

beforeAll(async () => {
  api = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/items') return json(res, 404, {});
    polled.push(Date.now());
    const after = Number(url.searchParams.get('after') ?? 0);
    const items: { id: number }[] = [];
    for (let id = after + 1; id <= Math.min(after + 25, TOTAL); id++) items.push({ id });
    setTimeout(() => json(res, 200, { items, more: after + 25 < TOTAL }), 150);
  });
  cluster = await startCluster();
  admin = await cluster.node({ roles: 'api', connectors: [RELAY] });
  await cluster.call(admin.url, 'POST', '/api/connections', {
    name: 'relay',
    connector: 'relay',
    values: { base_url: `${api.url}/` },
  });
}, 120_000);
afterAll(async () => {
  await cluster?.close();
  await api?.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The trigger ids of every job of a recipe (one row each). */
async function jobIds(recipeId: string): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { trigger: { id: number } }[]; nextCursor: string | null } = await cluster.call(
      admin.url,
      'GET',
      `/api/jobs?recipeId=${recipeId}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...page.items.map((j) => j.trigger.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function startRecipe(trigger: 'feed' | 'hook'): Promise<{ id: string; webhookUrl?: string }> {
  const recipe = await cluster.call(admin.url, 'POST', '/api/recipes', {
    name: `cluster ${trigger}`,
    trigger: { connector: 'relay', connection: 'relay', trigger, input: {}, pollIntervalSeconds: 1 },
    steps: [
      { id: 'x', connector: 'relay', connection: 'relay', action: 'record', input: { id: '=trigger.id', stage: 'x' } },
    ],
  });
  await cluster.call(admin.url, 'POST', `/api/recipes/${recipe.id}/start`);
  return recipe;
}

describe('the scheduler leader', () => {
  test('killed -9 mid-poll: the other scheduler takes over within the lease, each event makes one job', async () => {
    const first = await cluster.node({ roles: 'scheduler', connectors: [RELAY] });
    const recipe = await startRecipe('feed');
    // The first scheduler leads (it was alone) and polls; then a second one joins.
    await until('the first pages', () => polled.length >= 2);
    const second = await cluster.node({ roles: 'scheduler', connectors: [RELAY] });
    await until('more pages', () => polled.length >= 10);
    await first.weft.stop('SIGKILL');
    const killedAt = Date.now();
    const before = polled.length;
    await until('the next poll', () => polled.some((at) => at > killedAt + 200), LEASE_MS + HEARTBEAT_MS + 10_000);
    const takeover = polled.find((at) => at > killedAt + 200)! - killedAt;
    expect(takeover).toBeLessThanOrEqual(LEASE_MS + HEARTBEAT_MS + 4000);
    expect(before).toBeLessThan(TOTAL / 25);
    await until('every event polled', async () => (await jobIds(recipe.id)).length >= TOTAL, 60_000);
    // A little longer: a duplicate would show now.
    await new Promise((r) => setTimeout(r, 1500));
    const ids = await jobIds(recipe.id);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    await cluster.call(admin.url, 'POST', `/api/recipes/${recipe.id}/stop`);
    await second.weft.stop('SIGKILL');
  }, 120_000);
});

describe('ingress processes', () => {
  test('two behind a round-robin client, one killed -9 mid-burst: every 2xx answer has its job', async () => {
    const nodes = await Promise.all([0, 1].map(() => cluster.node({ roles: 'ingress', connectors: [RELAY] })));
    const recipe = await startRecipe('hook');
    const path = new URL(recipe.webhookUrl!).pathname;
    // Both ingress processes follow the start.
    for (const node of nodes) {
      await until('the recipe on every ingress', async () => {
        const res = await request(`${node.url}${path}`, { method: 'HEAD' });
        await res.body.text();
        return res.statusCode === 200;
      });
    }
    const agent = new Agent({ connections: 16 });
    const accepted: number[] = [];
    let answered = 0;
    let killed = false;
    const burst = 600;
    let next = 1;
    const send = async (): Promise<void> => {
      while (next <= burst) {
        const id = next++;
        const node = nodes[id % 2];
        if (!killed && answered >= 150 && id % 2 === 1) {
          killed = true;
          void nodes[1].weft.stop('SIGKILL');
        }
        try {
          const res = await request(`${node.url}${path}`, {
            method: 'POST',
            dispatcher: agent,
            body: JSON.stringify({ id }),
            headers: { 'content-type': 'application/json' },
          });
          await res.body.text();
          answered++;
          if (res.statusCode >= 200 && res.statusCode < 300) accepted.push(id);
        } catch {
          // The killed process: no answer, so no promise was made.
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, send));
    await agent.close();
    expect(killed).toBe(true);
    expect(accepted.length).toBeGreaterThan(burst / 2);
    const ids = new Set(await jobIds(recipe.id));
    const lost = accepted.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
  }, 120_000);
});
