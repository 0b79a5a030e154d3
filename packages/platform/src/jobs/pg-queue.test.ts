import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../__fixtures__/postgres.js';
import { StoreQueue } from '../__fixtures__/store-queue.js';
import { newRecipe, recipeDefinition } from '../__fixtures__/stored-recipe.js';
import type { PgBus } from '../cluster/pg-bus.js';
import { PostgresStore } from '../store/postgres.js';
import { PostgresQueue } from './pg-queue.js';
import type { QueueItem } from './queue.js';
import { runQueueContract } from './queue-contract.js';

let database: TestDatabase;
let store: PostgresStore;
let buses: PgBus[] = [];

beforeAll(async () => {
  database = await startTestDatabase();
  store = await PostgresStore.open(database.url, { poolSize: 8 });
  buses = [await store.openBus('node-a'), await store.openBus('node-b')];
}, 120_000);

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await store?.close();
  await database?.stop();
});

const cluster = { leaseMs: 4000, heartbeatMs: 1000 };
const claims = () => store.jobClaims;

describe('PostgresQueue passes the queue contract', () => {
  runQueueContract(
    (options) =>
      new StoreQueue(new PostgresQueue({ claims: claims(), bus: buses[0], cluster, ...options }), store, () =>
        database.truncate(),
      ),
    { tickMs: 200 },
  );
});

async function recipeWithJobs(concurrency: number, count: number, name = 'r') {
  const recipe = await store.insertRecipe(newRecipe(name, { definition: recipeDefinition({ name, concurrency }) }));
  const { jobs } = await store.createJobs({ recipeId: recipe.id, events: Array.from({ length: count }, (_, i) => i) });
  return { recipe, ids: jobs.map((j) => j.id) };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('claims on PostgreSQL', () => {
  test('concurrent claimers never claim a job twice, and keep each recipe at its concurrency', async () => {
    await database.truncate();
    const all: string[] = [];
    for (let r = 0; r < 4; r++) all.push(...(await recipeWithJobs(5, 40, `r${r}`)).ids);
    const claimed: string[] = [];
    const claimer = async (owner: string) => {
      for (let round = 0; round < 50; round++) {
        const at = Date.now();
        const claim = await claims().claim({ owner, at: iso(at), leaseUntil: iso(at + 60_000), limit: 3 });
        claimed.push(...claim.started.map((s) => s.job.id));
        // Each recipe holds 5 live leases at most: finishing frees them (as the engine would).
        for (const s of claim.started) await store.updateJob(s.job.id, { status: 'succeeded', finishedAt: iso(at) });
        if (claim.started.length === 0 && !claim.contended && !(await claims().anyQueued(iso(Date.now())))) return;
      }
    };
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(claimer));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(all.sort());
  }, 60_000);

  test('a recipe at its concurrency gives nothing; its order holds across claimers', async () => {
    await database.truncate();
    const { ids } = await recipeWithJobs(2, 6);
    const at = Date.now();
    const lease = { at: iso(at), leaseUntil: iso(at + 60_000) };
    const a = await claims().claim({ owner: 'a', ...lease, limit: 10 });
    const b = await claims().claim({ owner: 'b', ...lease, limit: 10 });
    expect(a.started.map((s) => s.job.id)).toEqual(ids.slice(0, 2));
    expect(b.started).toEqual([]);
    await store.updateJob(ids[1], { status: 'succeeded' });
    const b2 = await claims().claim({ owner: 'b', ...lease, limit: 10 });
    expect(b2.started.map((s) => s.job.id)).toEqual([ids[2]]);
    expect(b2.started[0].job).toMatchObject({ status: 'running', attempts: 1 });
  });

  test('an expired lease is taken over, and the old holder’s writes are dropped (fencing)', async () => {
    await database.truncate();
    const { ids } = await recipeWithJobs(1, 1);
    const at = Date.now();
    const first = await claims().claim({ owner: 'a', at: iso(at), leaseUntil: iso(at + 1000), limit: 1 });
    expect(first.started).toHaveLength(1);
    expect(
      (await claims().claim({ owner: 'b', at: iso(at + 500), leaseUntil: iso(at + 5000), limit: 1 })).started,
    ).toEqual([]);
    // A renewal by the holder keeps it; past the lease, another process takes it over.
    expect(await claims().renew({ owner: 'a', ids, leaseUntil: iso(at + 2000) })).toEqual(new Set(ids));
    expect(
      (await claims().claim({ owner: 'b', at: iso(at + 1500), leaseUntil: iso(at + 5000), limit: 1 })).started,
    ).toEqual([]);
    const taken = await claims().claim({ owner: 'b', at: iso(at + 2500), leaseUntil: iso(at + 9000), limit: 1 });
    expect(taken.started.map((s) => s.job.id)).toEqual(ids);
    expect(taken.started[0]).toMatchObject({ resumed: false, job: { attempts: 2 } });
    expect(await claims().renew({ owner: 'a', ids, leaseUntil: iso(at + 9000) })).toEqual(new Set());
    await store.saveJobProgress([{ jobId: ids[0], leaseOwner: 'a', patch: { status: 'failed' } }]);
    expect((await store.getJob(ids[0]))?.status).toBe('running');
    await store.saveJobProgress([{ jobId: ids[0], leaseOwner: 'b', patch: { status: 'succeeded' } }]);
    expect((await store.getJob(ids[0]))?.status).toBe('succeeded');
    const lease = await store.db.selectFrom('jobs').select(['lease_owner', 'lease_until']).executeTakeFirst();
    expect(lease).toEqual({ lease_owner: null, lease_until: null });
  });

  test('the cost of a claim does not depend on the recipe at its limit holding the backlog', async () => {
    await database.truncate();
    const big = await recipeWithJobs(1, 1, 'big');
    const at0 = iso(Date.now());
    await sql`insert into jobs (id, recipe_id, status, trigger, attempts, created_at, updated_at)
      select ${`${big.ids[0]}_`} || lpad(n::text, 8, '0'), ${big.recipe.id}, 'pending', 'null', 0, ${at0}, ${at0}
      from generate_series(1, 20000) n`.execute(store.db);
    const at = Date.now();
    const lease = { at: iso(at), leaseUntil: iso(at + 60_000) };
    expect((await claims().claim({ owner: 'a', ...lease, limit: 4 })).started.map((s) => s.job.id)).toEqual(big.ids);
    const small = await recipeWithJobs(1, 2, 'small');
    const claim = await claims().claim({ owner: 'a', ...lease, limit: 4 });
    expect(claim.started.map((s) => s.job.id)).toEqual(small.ids.slice(0, 1));
  });
});

describe('two queues on one database', () => {
  test('per-recipe concurrency and order hold across processes; a hand-back is claimed at once', async () => {
    await database.truncate();
    const { ids } = await recipeWithJobs(2, 24);
    const started: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const handler = (owner: string) => async (item: QueueItem) => {
      started.push(item.jobId);
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      await store.saveJobProgress([{ jobId: item.jobId, leaseOwner: owner, patch: { status: 'succeeded' } }]);
    };
    const queues = buses.map(
      (bus) =>
        new PostgresQueue({ claims: claims(), bus, cluster: { leaseMs: 60_000, heartbeatMs: 15_000 }, workers: 4 }),
    );
    await Promise.all(queues.map((q, i) => q.start(handler(buses[i].nodeId))));
    await Promise.all(queues.map((q) => q.idle()));
    expect(maxRunning).toBe(2);
    // Two at a time, each pair of the oldest two left.
    for (let i = 0; i < ids.length; i += 2) expect(started.slice(i, i + 2).sort()).toEqual(ids.slice(i, i + 2));

    // A job handed back by one process (pending, lease cleared) goes to the other at once,
    // long before its lease would have expired.
    const [a, b] = queues;
    await a.stop();
    await b.stop();
    const handed = await recipeWithJobs(1, 1, 'handed');
    const byA: string[] = [];
    const qa = new PostgresQueue({
      claims: claims(),
      bus: buses[0],
      cluster: { leaseMs: 60_000, heartbeatMs: 15_000 },
      workers: 1,
    });
    await qa.start(async (item) => {
      byA.push(item.jobId);
      const attempts = item.claimed?.kind === 'started' ? item.claimed.job.attempts : 0;
      await store.saveJobProgress([
        {
          jobId: item.jobId,
          leaseOwner: buses[0].nodeId,
          patch: { status: 'pending', attempts: attempts - 1, runAt: null },
        },
      ]);
    });
    while (byA.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await qa.stop();
    const byB: QueueItem[] = [];
    const qb = new PostgresQueue({
      claims: claims(),
      bus: buses[1],
      cluster: { leaseMs: 60_000, heartbeatMs: 15_000 },
      workers: 1,
    });
    const t0 = Date.now();
    await qb.start(async (item) => {
      byB.push(item);
      await store.saveJobProgress([{ jobId: item.jobId, leaseOwner: buses[1].nodeId, patch: { status: 'succeeded' } }]);
    });
    await qb.idle();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(byB.map((i) => i.jobId)).toEqual(handed.ids);
    expect(byB[0].claimed).toMatchObject({ kind: 'started', job: { attempts: 1 } });
    await qb.stop();
  }, 60_000);

  test('a job committed elsewhere wakes a worker through the database trigger', async () => {
    await database.truncate();
    const ran: string[] = [];
    const q = new PostgresQueue({
      claims: claims(),
      bus: buses[1],
      cluster: { leaseMs: 60_000, heartbeatMs: 30_000 },
      workers: 2,
    });
    await q.start(async (item) => {
      ran.push(item.jobId);
      await store.updateJob(item.jobId, { status: 'succeeded' });
    });
    const { ids } = await recipeWithJobs(1, 3);
    const t0 = Date.now();
    while (ran.length < 3 && Date.now() - t0 < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ran).toEqual(ids);
    await q.stop();
  });
});
