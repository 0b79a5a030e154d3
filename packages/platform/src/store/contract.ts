/**
 * The store contract: the behaviour every `Store` implementation must show. The SQLite store
 * runs it in sqlite.test.ts; the PostgreSQL store will run the same suite.
 *
 *     runStoreContract(() => SqliteStore.open(':memory:'));
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { recipeDefinition } from '../__fixtures__/stored-recipe.js';
import { runAgentContract } from './contract-agents.js';
import { runJobEngineContract } from './contract-job-engine.js';
import { runMcpTokenContract } from './contract-mcp-tokens.js';
import { runTriggerStateContract } from './contract-trigger-state.js';
import { type NewRecipe, type Store, StoreError } from './store.js';

export function runStoreContract(makeStore: () => Promise<Store>): void {
  let store: Store;

  beforeEach(async () => {
    store = await makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const sealed = (n: number) => ({ valuesEncrypted: `cipher-${n}`, keyId: 'key1', nonce: `nonce-${n}` });
  const recipe = (name = 'r'): NewRecipe => ({
    name,
    definition: recipeDefinition({ name }),
    connectorVersions: { crm: 1 },
    webhookSecret: `secret-${name}`,
  });

  describe('connector versions', () => {
    test('a new version only when the source changes', async () => {
      const a = await store.putConnectorVersion({ name: 'crm', checksum: 'a', source: 'A', origin: 'file' });
      const again = await store.putConnectorVersion({ name: 'crm', checksum: 'a', source: 'A', origin: 'file' });
      const b = await store.putConnectorVersion({ name: 'crm', checksum: 'b', source: 'B', origin: 'push' });
      expect([a.version, again.version, b.version]).toEqual([1, 1, 2]);
      expect((await store.latestConnectorVersions()).map((v) => [v.name, v.version])).toEqual([['crm', 2]]);
      expect((await store.connectorVersions('crm')).map((v) => v.version)).toEqual([2, 1]);
      expect(await store.connectorSource('crm', 1)).toBe('A');
      expect(await store.connectorSource('crm', 9)).toBeUndefined();
    });
  });

  describe('connections', () => {
    test('insert, read, update the sealed values, delete', async () => {
      const created = await store.insertConnection({ name: 'main', connector: 'crm', ...sealed(1) });
      expect(created).toMatchObject({
        name: 'main',
        connector: 'crm',
        valuesEncrypted: 'cipher-1',
        keyId: 'key1',
        nonce: 'nonce-1',
      });
      expect(await store.getConnection('main')).toEqual(created);
      const updated = await store.updateConnectionValues('main', { ...sealed(2), keyId: 'key2' });
      expect(updated).toMatchObject({
        valuesEncrypted: 'cipher-2',
        nonce: 'nonce-2',
        keyId: 'key2',
        createdAt: created.createdAt,
      });
      expect(await store.updateConnectionValues('nope', sealed(3))).toBeUndefined();
      expect(await store.deleteConnection('main')).toBe(true);
      expect(await store.deleteConnection('main')).toBe(false);
      expect(await store.getConnection('main')).toBeUndefined();
    });

    test("a connection's agent group: stored, kept by a values update, changed, removed", async () => {
      const created = await store.insertConnection({
        name: 'erp',
        connector: 'erp',
        agentGroup: 'plant',
        ...sealed(1),
      });
      expect(created.agentGroup).toBe('plant');
      expect((await store.getConnection('erp'))?.agentGroup).toBe('plant');
      expect((await store.updateConnectionValues('erp', sealed(2)))?.agentGroup).toBe('plant');
      expect((await store.updateConnectionValues('erp', sealed(3), { agentGroup: 'depot' }))?.agentGroup).toBe('depot');
      const direct = await store.updateConnectionValues('erp', sealed(4), { agentGroup: null });
      expect(direct).not.toHaveProperty('agentGroup');
      expect((await store.listConnections({ limit: 10 })).items.find((c) => c.name === 'erp')).not.toHaveProperty(
        'agentGroup',
      );
      await store.deleteConnection('erp');
    });

    test('a taken name is a CONFLICT and changes nothing', async () => {
      await store.insertConnection({ name: 'main', connector: 'crm', ...sealed(1) });
      const error = await store.insertConnection({ name: 'main', connector: 'shop', ...sealed(2) }).catch((e) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error.code).toBe('CONFLICT');
      expect((await store.getConnection('main'))?.connector).toBe('crm');
    });

    test('lists by name in pages', async () => {
      for (const name of ['c', 'a', 'e', 'b', 'd'])
        await store.insertConnection({ name, connector: 'crm', ...sealed(1) });
      const first = await store.listConnections({ limit: 2 });
      expect(first.items.map((c) => c.name)).toEqual(['a', 'b']);
      const second = await store.listConnections({ limit: 2, cursor: first.nextCursor });
      expect(second.items.map((c) => c.name)).toEqual(['c', 'd']);
      const third = await store.listConnections({ limit: 2, cursor: second.nextCursor });
      expect(third).toEqual({ items: [expect.objectContaining({ name: 'e' })], nextCursor: null });
      const error = await store.listConnections({ limit: 2, cursor: 'garbage' }).catch((e) => e);
      expect(error.code).toBe('INVALID_CURSOR');
    });

    test('finds the rows sealed with another key', async () => {
      await store.insertConnection({ name: 'old', connector: 'crm', ...sealed(1), keyId: 'old-key' });
      await store.insertConnection({ name: 'new', connector: 'crm', ...sealed(2), keyId: 'new-key' });
      expect((await store.connectionsNotSealedWith('new-key')).map((c) => c.name)).toEqual(['old']);
    });
  });

  describe('recipes', () => {
    test('insert (stopped), read, update, start and stop, delete', async () => {
      const created = await store.insertRecipe(recipe('one'));
      expect(created).toMatchObject({
        name: 'one',
        status: 'stopped',
        connectorVersions: { crm: 1 },
        webhookSecret: 'secret-one',
      });
      expect(created.id).toMatch(/^rcp_/);
      expect(await store.getRecipe(created.id)).toEqual(created);
      const changed = recipeDefinition({ name: 'two', steps: [{ id: 'done', stop: { error: false } }] });
      const updated = await store.updateRecipe(created.id, {
        name: 'two',
        definition: changed,
        connectorVersions: { crm: 2 },
      });
      expect(updated).toMatchObject({
        name: 'two',
        definition: changed,
        connectorVersions: { crm: 2 },
        webhookSecret: 'secret-one',
      });
      expect((await store.setRecipeStatus(created.id, 'running'))?.status).toBe('running');
      expect((await store.listRecipes({ limit: 10, status: 'running' })).items.map((r) => r.id)).toEqual([created.id]);
      expect((await store.listRecipes({ limit: 10, status: 'stopped' })).items).toEqual([]);
      expect(
        await store.updateRecipe('rcp_nope', { name: 'x', definition: recipeDefinition(), connectorVersions: {} }),
      ).toBeUndefined();
      expect(await store.setRecipeStatus('rcp_nope', 'running')).toBeUndefined();
      expect(await store.deleteRecipe(created.id)).toBe(true);
      expect(await store.deleteRecipe(created.id)).toBe(false);
      expect(await store.getRecipe(created.id)).toBeUndefined();
    });

    test('lists oldest first in pages', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.insertRecipe(recipe(`r${i}`))).id);
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await store.listRecipes({ limit: 2, cursor });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
    });

    test('deleting a recipe deletes its jobs, steps, trigger state and subscription', async () => {
      const r = await store.insertRecipe(recipe());
      const { jobs } = await store.commitPoll({
        recipeId: r.id,
        events: [{ a: 1 }],
        signatures: ['s1'],
        closure: { c: 1 },
      });
      await store.saveJobStep({ ...step(jobs[0].id, 0) });
      await store.putWebhookSubscription({
        recipeId: r.id,
        sealed: { valuesEncrypted: 'c', keyId: 'k', nonce: 'n' },
        secret: 's',
      });
      await store.deleteRecipe(r.id);
      expect(await store.getJob(jobs[0].id)).toBeUndefined();
      expect(await store.getTriggerState(r.id)).toBeUndefined();
      expect(await store.getWebhookSubscription(r.id)).toBeUndefined();
      // The same signature is new again for a new recipe.
      const other = await store.insertRecipe(recipe());
      expect(
        (await store.createJobs({ recipeId: other.id, events: [{ a: 1 }], signatures: ['s1'] })).jobs,
      ).toHaveLength(1);
    });
  });

  const step = (jobId: string, seq: number) => ({
    jobId,
    seq,
    stepId: `step${seq}`,
    status: 'succeeded' as const,
    input: { email: 'a@example.com' },
    output: { id: 7 },
    error: null,
    state: undefined,
    attempts: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
  });

  describe('jobs and polls', () => {
    test('commitPoll creates one pending job per new event, in order, with the closure', async () => {
      const r = await store.insertRecipe(recipe());
      const result = await store.commitPoll({
        recipeId: r.id,
        events: [{ id: 1 }, { id: 2 }, { id: 3 }],
        signatures: ['1', '2', '3'],
        closure: { since: 3 },
      });
      expect(result.jobs.map((j) => j.trigger)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(result.jobs.every((j) => j.status === 'pending' && j.recipeId === r.id)).toBe(true);
      expect(result).toMatchObject({ duplicates: 0, emptyPolls: 0 });
      expect(await store.getTriggerState(r.id)).toMatchObject({ recipeId: r.id, closure: { since: 3 }, emptyPolls: 0 });
      // Ids sort by creation: the queue relies on it for per-recipe order.
      const ids = result.jobs.map((j) => j.id);
      expect([...ids].sort()).toEqual(ids);
    });

    test('a seen signature creates no second job, across polls and within one', async () => {
      const r = await store.insertRecipe(recipe());
      await store.commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'], closure: 'c1' });
      const again = await store.commitPoll({
        recipeId: r.id,
        events: [{ id: 1 }, { id: 2 }, { id: 2 }, { id: 'no-dedup' }, { id: 'no-dedup' }],
        signatures: ['1', '2', '2', null],
      });
      expect(again.jobs.map((j) => j.trigger)).toEqual([{ id: 2 }, { id: 'no-dedup' }, { id: 'no-dedup' }]);
      expect(again.duplicates).toBe(2);
      // A missing closure keeps the previous one.
      expect((await store.getTriggerState(r.id))?.closure).toBe('c1');
    });

    test('counts consecutive polls without a job', async () => {
      const r = await store.insertRecipe(recipe());
      expect((await store.commitPoll({ recipeId: r.id, events: [] })).emptyPolls).toBe(1);
      expect((await store.commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'] })).emptyPolls).toBe(0);
      expect((await store.commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'] })).emptyPolls).toBe(1);
      expect((await store.commitPoll({ recipeId: r.id, events: [], closure: null })).emptyPolls).toBe(2);
      const state = await store.getTriggerState(r.id);
      expect(state).toMatchObject({ emptyPolls: 2, closure: undefined });
    });

    test('a poll is all or nothing: a closure that cannot be stored leaves no job and no signature', async () => {
      const r = await store.insertRecipe(recipe());
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        store.commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'], closure: circular }),
      ).rejects.toThrow();
      expect((await store.listJobs({ limit: 10, recipeId: r.id })).items).toEqual([]);
      expect(await store.getTriggerState(r.id)).toBeUndefined();
      const retry = await store.commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'], closure: 'ok' });
      expect(retry.jobs).toHaveLength(1);
    });

    test('events of an unknown recipe are refused', async () => {
      const error = await store.commitPoll({ recipeId: 'rcp_nope', events: [{}] }).catch((e) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error.code).toBe('NOT_FOUND');
      await expect(store.createJobs({ recipeId: 'rcp_nope', events: [{}] })).rejects.toThrow(StoreError);
    });

    test('createJobs dedups like a poll and leaves the trigger state alone', async () => {
      const r = await store.insertRecipe(recipe());
      const first = await store.createJobs({ recipeId: r.id, events: [{ n: 1 }, { n: 2 }], signatures: ['a', 'b'] });
      const second = await store.createJobs({ recipeId: r.id, events: [{ n: 1 }], signatures: ['a'] });
      expect(first.jobs).toHaveLength(2);
      expect(second).toEqual({ jobs: [], duplicates: 1 });
      expect(await store.getTriggerState(r.id)).toBeUndefined();
      const rerun = await store.createJobs({ recipeId: r.id, events: [{ n: 1 }], rerunOf: first.jobs[0].id });
      expect(rerun.jobs[0].rerunOf).toBe(first.jobs[0].id);
    });

    test('createJobsMany: several inputs in one transaction, in order, dedup across them', async () => {
      const a = await store.insertRecipe(recipe('a'));
      const b = await store.insertRecipe(recipe('b'));
      await store.createJobs({ recipeId: a.id, events: [{ n: 0 }], signatures: ['0'] });
      const results = await store.createJobsMany([
        { recipeId: a.id, events: [{ n: 0 }, { n: 1 }], signatures: ['0', '1'] },
        { recipeId: b.id, events: [{ n: 1 }], signatures: ['1'] },
        { recipeId: a.id, events: [{ n: 1 }, { n: 2 }, { n: 'x' }], signatures: ['1', '2'] },
        { recipeId: a.id, events: [] },
      ]);
      expect(results.map((r) => [r.jobs.map((j) => j.trigger), r.duplicates])).toEqual([
        [[{ n: 1 }], 1],
        [[{ n: 1 }], 0],
        [[{ n: 2 }, { n: 'x' }], 1],
        [[], 0],
      ]);
      expect(results[1].jobs[0]).toMatchObject({ recipeId: b.id, status: 'pending' });
      const ids = results.flatMap((r) => r.jobs.map((j) => j.id));
      expect([...ids].sort()).toEqual(ids);
      expect((await store.listJobs({ limit: 10, recipeId: a.id })).items).toHaveLength(4);
      expect(await store.createJobsMany([])).toEqual([]);
    });

    test('createJobsMany is all or nothing: an unknown recipe writes nothing', async () => {
      const a = await store.insertRecipe(recipe('a'));
      const error = await store
        .createJobsMany([
          { recipeId: a.id, events: [{ n: 1 }], signatures: ['1'] },
          { recipeId: 'rcp_nope', events: [{ n: 2 }] },
        ])
        .catch((e) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error.code).toBe('NOT_FOUND');
      expect((await store.listJobs({ limit: 10 })).items).toEqual([]);
      // The signature was not recorded either.
      expect((await store.createJobs({ recipeId: a.id, events: [{ n: 1 }], signatures: ['1'] })).jobs).toHaveLength(1);
    });

    test('a large poll (1,000 events) commits in one go', async () => {
      const r = await store.insertRecipe(recipe());
      const events = Array.from({ length: 1000 }, (_, i) => ({ i }));
      const result = await store.commitPoll({ recipeId: r.id, events, signatures: events.map((e) => String(e.i)) });
      expect(result.jobs).toHaveLength(1000);
      const again = await store.commitPoll({ recipeId: r.id, events, signatures: events.map((e) => String(e.i)) });
      expect(again).toMatchObject({ jobs: [], duplicates: 1000 });
    });

    test('jobs: read with steps, update, list newest first with filters and pages', async () => {
      const a = await store.insertRecipe(recipe('a'));
      const b = await store.insertRecipe(recipe('b'));
      const ja = (await store.createJobs({ recipeId: a.id, events: [1, 2, 3] })).jobs;
      const jb = (await store.createJobs({ recipeId: b.id, events: [4] })).jobs;
      await store.saveJobStep(step(ja[0].id, 1));
      await store.saveJobStep(step(ja[0].id, 0));
      await store.saveJobStep({
        ...step(ja[0].id, 1),
        status: 'failed',
        output: null,
        error: { code: 'HTTP_ERROR', message: 'boom' },
      });
      const job = await store.getJob(ja[0].id);
      expect(job?.steps.map((s) => [s.seq, s.status])).toEqual([
        [0, 'succeeded'],
        [1, 'failed'],
      ]);
      expect(job?.steps[1]).toMatchObject({
        stepId: 'step1',
        input: { email: 'a@example.com' },
        output: null,
        error: { code: 'HTTP_ERROR' },
      });
      expect(job?.steps[0].state).toBeNull();

      const updated = await store.updateJob(ja[1].id, {
        status: 'failed',
        error: { code: 'X', message: 'm', stepId: 's' },
        attempts: 2,
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:02.000Z',
      });
      expect(updated).toMatchObject({
        status: 'failed',
        error: { code: 'X', stepId: 's' },
        attempts: 2,
        finishedAt: '2026-01-01T00:00:02.000Z',
      });
      expect(await store.updateJob('job_nope', { status: 'failed' })).toBeUndefined();
      expect(await store.getJobStatus(ja[1].id)).toBe('failed');
      expect(await store.getJobStatus(ja[2].id)).toBe('pending');
      expect(await store.getJobStatus('job_nope')).toBeUndefined();

      const all = await store.listJobs({ limit: 10 });
      expect(all.items.map((j) => j.id)).toEqual([jb[0].id, ja[2].id, ja[1].id, ja[0].id]);
      expect((await store.listJobs({ limit: 10, recipeId: a.id, status: 'failed' })).items.map((j) => j.id)).toEqual([
        ja[1].id,
      ]);
      const first = await store.listJobs({ limit: 3, recipeId: a.id });
      expect(first.items).toHaveLength(3);
      expect(first.nextCursor).toBeNull();
      const paged = await store.listJobs({ limit: 2 });
      const rest = await store.listJobs({ limit: 2, cursor: paged.nextCursor });
      expect([...paged.items, ...rest.items].map((j) => j.id)).toEqual(all.items.map((j) => j.id));
      expect(rest.nextCursor).toBeNull();
      expect(await store.getJob('job_nope')).toBeUndefined();
    });
  });

  runJobEngineContract(() => store, recipe, step);
  runTriggerStateContract(() => store, recipe);
  runAgentContract(() => store);
  runMcpTokenContract(() => store);
}
