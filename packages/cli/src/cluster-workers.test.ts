/**
 * The queue on PostgreSQL with real processes: one `api,ingress` node taking webhooks, two
 * `worker` nodes running the jobs. One worker is killed with SIGKILL while it runs steps: its
 * jobs are taken over once their leases expire (WEFT_LEASE_SECONDS=4), every accepted webhook
 * has exactly one job, each finishes, and no step whose record was written ran again. Then one
 * is stopped with SIGTERM: it hands its jobs back and another worker finishes them, no step twice.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './cluster-harness.js';
import { json, startServer, type TestServer } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/reliability', import.meta.url));
const WEBHOOKS = 2000;
const STAGES = ['a', 'b'];

let cluster: TestCluster;
let sink: TestServer;
/** Calls per `id:stage`, with the time of the first. */
const calls = new Map<string, { n: number; first: number }>();

beforeAll(async () => {
  cluster = await startCluster();
  sink = await startServer((req, res, body) => {
    if (req.url === '/sink') {
      const { id, stage } = JSON.parse(body);
      const key = `${id}:${stage}`;
      const seen = calls.get(key);
      if (seen) seen.n++;
      else calls.set(key, { n: 1, first: Date.now() });
      // A step takes a moment, as a real API call does: jobs overlap, a kill lands mid-step.
      setTimeout(() => json(res, 200, { ok: true }), 20);
      return;
    }
    json(res, 404, {});
  });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await sink?.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('workers on PostgreSQL', () => {
  it('a worker killed while it runs steps: its jobs are taken over, each step that finished ran once', async () => {
    const env = { WEFT_JOB_RETRY_BASE_MS: '50' };
    const api = await cluster.node({ roles: 'api,ingress', connectors: [FIXTURES], env });
    const [w1, w2] = await Promise.all([
      cluster.node({ roles: 'worker', connectors: [FIXTURES], env }),
      cluster.node({ roles: 'worker', connectors: [FIXTURES], env }),
    ]);
    await cluster.call(api.url, 'POST', '/api/connections', {
      name: 'relay',
      connector: 'relay',
      values: { base_url: `${sink.url}/` },
    });
    const recipe = await cluster.call(api.url, 'POST', '/api/recipes', {
      name: 'cluster',
      trigger: { connector: 'relay', connection: 'relay', trigger: 'hook', input: {} },
      concurrency: 16,
      steps: STAGES.map((stage) => ({
        id: stage,
        connector: 'relay',
        connection: 'relay',
        action: 'record',
        input: { id: '=trigger.id', stage },
      })),
    });
    await cluster.call(api.url, 'POST', `/api/recipes/${recipe.id}/start`);

    const db = new pg.Client({ connectionString: cluster.database.url });
    await db.connect();
    try {
      // The webhooks, 16 at a time, while the workers run.
      const dispatcher = new Agent({ connections: 16 });
      const accepted: number[] = [];
      let next = 1;
      const sending = Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let id = next++; id <= WEBHOOKS; id = next++) {
            const res = await request(recipe.webhookUrl, {
              method: 'POST',
              body: JSON.stringify({ id }),
              headers: { 'content-type': 'application/json' },
              dispatcher,
            });
            await res.body.text();
            if (res.statusCode < 300) accepted.push(id);
          }
        }),
      );
      // Kill the first worker while it holds jobs in the middle of their steps.
      const owner = `%-${w1.weft.pid}-%`;
      await until('the first worker to run steps', async () => {
        const { rows } = await db.query(
          "select count(*)::int as n from jobs where status = 'running' and lease_owner like $1",
          [owner],
        );
        return rows[0].n > 0 && calls.size > 300;
      });
      const killedAt = Date.now();
      await w1.weft.stop('SIGKILL');
      // What it held when it died: still `running` under its lease until that expires.
      const { rows: held } = await db.query<{ id: string }>(
        "select id from jobs where status = 'running' and lease_owner like $1",
        [owner],
      );
      await sending;
      await dispatcher.close();
      expect(accepted.length).toBe(WEBHOOKS);

      await until(
        'every job to finish',
        async () => {
          const { rows } = await db.query(
            "select count(*)::int as n from jobs where status in ('pending', 'running', 'suspended')",
          );
          return rows[0].n === 0;
        },
        120_000,
      );
      const { rows: jobs } = await db.query<{ trigger: string; status: string; attempts: number }>(
        'select trigger, status, attempts from jobs where recipe_id = $1',
        [recipe.id],
      );
      const ids = jobs.map((j) => JSON.parse(j.trigger).id as number).sort((a, b) => a - b);
      expect(ids).toEqual([...accepted].sort((a, b) => a - b));
      expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
      // Every step ran; one called twice only when it was in flight when the worker died (its
      // record not written yet), so at most one per job running there, and never a third time.
      const twice: string[] = [];
      for (const id of accepted) {
        const before = twice.length;
        for (const stage of STAGES) {
          const seen = calls.get(`${id}:${stage}`);
          expect(seen, `${id}:${stage}`).toBeDefined();
          expect(seen!.n).toBeLessThanOrEqual(2);
          if (seen!.n === 2) {
            twice.push(`${id}:${stage}`);
            // In flight at the kill (a loaded machine may take a while to write a record).
            expect(seen!.first).toBeGreaterThan(killedAt - 2000);
          }
        }
        expect(twice.length - before, `steps of ${id} called twice`).toBeLessThanOrEqual(1);
      }
      expect(twice.length).toBeLessThanOrEqual(16);
      // The jobs the dead worker held were taken over (a new attempt each).
      expect(held.length).toBeGreaterThan(0);
      const { rows: taken } = await db.query<{ attempts: number }>('select attempts from jobs where id = any($1)', [
        held.map((h) => h.id),
      ]);
      expect(taken.map((t) => t.attempts)).toEqual(held.map(() => 2));

      // SIGTERM: the worker stops at its steps' boundaries and hands its jobs back (pending, lease
      // cleared, attempt not spent); another worker claims them at once. No step runs twice.
      await cluster.node({ roles: 'worker', connectors: [FIXTURES], env });
      const batch = Array.from({ length: 400 }, (_, i) => 10_001 + i);
      const more = new Agent({ connections: 8 });
      const sendingMore = Promise.all(
        Array.from({ length: 8 }, async (_, lane) => {
          for (let i = lane; i < batch.length; i += 8) {
            const res = await request(recipe.webhookUrl, {
              method: 'POST',
              body: JSON.stringify({ id: batch[i] }),
              headers: { 'content-type': 'application/json' },
              dispatcher: more,
            });
            await res.body.text();
            expect(res.statusCode).toBe(200);
          }
        }),
      );
      await until('the second worker to run steps of the batch', async () => {
        const { rows } = await db.query(
          "select count(*)::int as n from jobs where status = 'running' and lease_owner like $1",
          [`%-${w2.weft.pid}-%`],
        );
        return rows[0].n > 0 && batch.some((id) => calls.has(`${id}:a`));
      });
      const stoppedAt = Date.now();
      await w2.weft.stop('SIGTERM');
      expect(Date.now() - stoppedAt).toBeLessThan(4000);
      await sendingMore;
      await more.close();
      await until('every job of the batch to finish', async () => {
        const { rows } = await db.query(
          "select count(*)::int as n from jobs where status in ('pending', 'running', 'suspended')",
        );
        return rows[0].n === 0;
      });
      const { rows: after } = await db.query<{ trigger: string; status: string; attempts: number }>(
        'select trigger, status, attempts from jobs where recipe_id = $1',
        [recipe.id],
      );
      const done = after.filter((j) => JSON.parse(j.trigger).id > 10_000);
      expect(done).toHaveLength(batch.length);
      expect(done.filter((j) => j.status !== 'succeeded' || j.attempts !== 1)).toEqual([]);
      for (const id of batch)
        for (const stage of STAGES) expect(calls.get(`${id}:${stage}`)?.n, `${id}:${stage}`).toBe(1);
      const listed = await cluster.call(api.url, 'GET', `/api/jobs?recipeId=${recipe.id}&status=succeeded&limit=1`);
      expect(listed.items).toHaveLength(1);
    } finally {
      await db.end();
    }
  }, 180_000);
});
