/**
 * Cluster coordination on one PostgreSQL, in one test process: the leader lease between two
 * contenders, the follower hearing another process's changes over the bus, polls committing
 * only from the trigger state they read, and the webhook group commit of two processes at once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../__fixtures__/postgres.js';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { Runtime } from '../runtime/runtime.js';
import { PostgresStore } from '../store/postgres.js';
import type { RecipeRecord } from '../store/store.js';
import { GroupCommit } from '../triggers/commit.js';
import { Changes } from './changes.js';
import { Follower } from './follower.js';
import { LeaderLease, SCHEDULER_LEASE } from './lease.js';
import type { PgBus } from './pg-bus.js';

let database: TestDatabase;
let a: PostgresStore;
let b: PostgresStore;
const quiet = () => {};

beforeAll(async () => {
  database = await startTestDatabase();
  a = await PostgresStore.open(database.url);
  b = await PostgresStore.open(database.url);
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.stop();
});
beforeEach(async () => {
  await database.truncate();
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

const recipe = (store: PostgresStore, name: string) => store.insertRecipe(newRecipe(name));

describe('the leader lease', () => {
  const lease = (store: PostgresStore, holder: string) =>
    new LeaderLease(store.db, { name: SCHEDULER_LEASE, holder, leaseMs: 1000, heartbeatMs: 250, log: quiet });

  test('of two contenders exactly one leads; the other takes over when it is released', async () => {
    const first = lease(a, 'node-a');
    const second = lease(b, 'node-b');
    await first.open();
    await second.open();
    expect([first.leading, second.leading]).toEqual([true, false]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect([first.leading, second.leading]).toEqual([true, false]);
    const heard: boolean[] = [];
    second.onChange((leading) => heard.push(leading));
    await first.close();
    expect(first.leading).toBe(false);
    await until(() => second.leading, 1000);
    expect(heard).toEqual([true]);
    await second.close();
  });

  test('a dead holder is taken over within the lease plus one heartbeat', async () => {
    // A holder that stopped renewing (killed): its row lasts one lease from its last renewal.
    await a.db
      .insertInto('cluster_leases')
      .values({ name: SCHEDULER_LEASE, holder: 'dead', until: Date.now() + 1000 })
      .execute();
    const next = lease(b, 'node-b');
    await next.open();
    expect(next.leading).toBe(false);
    const waited = await until(() => next.leading, 3000);
    // The lease, a heartbeat, and slack for a loaded machine's database round trips.
    expect(waited).toBeLessThanOrEqual(1000 + 250 + 750);
    await next.close();
  });
});

describe('polls across a handover', () => {
  test('two polls from the same trigger state: one commits, the other is refused and writes nothing', async () => {
    const r = await recipe(a, 'polled');
    for (const version of [null, 'second round']) {
      const state = await a.getTriggerState(r.id);
      const from = version === null ? null : (state?.updatedAt ?? null);
      const outcomes = await Promise.allSettled(
        [a, b].map((store, i) =>
          store.commitPoll({ recipeId: r.id, events: [{ by: i, version }], closure: { i }, stateVersion: from }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'POLL_SUPERSEDED' });
    }
    expect((await a.listJobs({ limit: 10, recipeId: r.id })).items).toHaveLength(2);
  });
});

describe('the webhook group commit', () => {
  test('two processes committing overlapping events at once: each signature makes exactly one job', async () => {
    const r = await recipe(a, 'hooked');
    const commits = [a, b].map((store) => new GroupCommit({ store, runtime: new Runtime() }));
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        commits[i % 2].commit({ recipeId: r.id, events: [{ n: i % 100 }], signatures: [`sig-${i % 100}`] }),
      ),
    );
    expect(results.reduce((n, c) => n + c.jobs.length, 0)).toBe(100);
    let total = 0;
    let cursor: string | null | undefined;
    do {
      const page = await a.listJobs({ limit: 1000, recipeId: r.id, cursor });
      total += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(total).toBe(100);
  });
});

describe('the follower', () => {
  test("follows another process's starts and stops without redoing them, and reconciles on resync", async () => {
    const busA: PgBus = await a.openBus('node-a');
    const busB: PgBus = await b.openBus('node-b');
    try {
      const calls: string[] = [];
      const runtime = new Runtime();
      runtime.use({
        name: 'probe',
        start: async (r) => void calls.push(`start ${r.name}`),
        stop: async (r) => void calls.push(`stop ${r.name}`),
        follow: async (r) => void calls.push(`follow ${r.name}`),
        unfollow: async (r) => void calls.push(`unfollow ${r.name}`),
        changed: (id) => void calls.push(`changed ${id}`),
      });
      const forgotten: string[] = [];
      const follower = new Follower({
        changes: new Changes(busB, quiet),
        store: b,
        runtime,
        registry: { follow: async () => {}, followAll: async () => {} },
        connections: { forget: (name) => void forgotten.push(name), forgetAll: () => {} },
        reloadSubscription: async () => {},
        log: quiet,
      });
      follower.listen();
      const origin = new Changes(busA, quiet);
      const heardOwn: string[] = [];
      origin.onChange((change) => heardOwn.push(change.kind));

      const r: RecipeRecord = await recipe(a, 'followed');
      await a.setRecipeStatus(r.id, 'running');
      await origin.publish('recipe.started', r.id);
      await until(() => calls.length === 1);
      expect(calls).toEqual(['follow followed']);
      expect(runtime.running().has(r.id)).toBe(true);

      await origin.publish('connection.changed', 'crm');
      await a.setRecipeStatus(r.id, 'stopped');
      await origin.publish('recipe.stopped', r.id);
      await origin.publish('recipe.changed', r.id);
      await until(() => calls.length === 3);
      expect(calls.slice(1)).toEqual(['unfollow followed', `changed ${r.id}`]);
      expect(forgotten).toEqual(['crm']);
      expect(runtime.running().has(r.id)).toBe(false);
      // A process never follows its own changes.
      expect(heardOwn).toEqual([]);

      // Missed messages: a resync reads the running recipes from the store.
      await a.setRecipeStatus(r.id, 'running');
      await follower.reconcile();
      expect(calls.at(-1)).toBe('follow followed');
      await follower.close();
    } finally {
      await busA.close();
      await busB.close();
    }
  });
});
