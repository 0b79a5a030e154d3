import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { DEFAULT_RUNTIME_OPTIONS } from '../runtime/options.js';
import { SqliteStore } from '../store/sqlite.js';
import { Retention } from './retention.js';

const DAY = 24 * 60 * 60 * 1000;
// The sweep's clock runs 100 days ahead: the jobs made now are old by then.
const NOW = Date.now() + 100 * DAY;
let store: SqliteStore;

beforeEach(async () => {
  store = await SqliteStore.open(':memory:');
});
afterEach(async () => {
  await store.close();
});

async function seed() {
  const recipe = await store.insertRecipe(newRecipe());
  const { jobs } = await store.createJobs({ recipeId: recipe.id, events: [1, 2, 3, 4, 5] });
  const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
  const step = (jobId: string) => ({
    jobId,
    seq: 0,
    stepId: 's',
    status: 'succeeded' as const,
    input: {},
    output: {},
    error: null,
    state: undefined,
    attempts: 1,
    startedAt: ago(40),
    finishedAt: ago(40),
  });
  await store.saveJobProgress([
    { jobId: jobs[0].id, patch: { status: 'succeeded', finishedAt: ago(40) }, steps: [step(jobs[0].id)] },
    { jobId: jobs[1].id, patch: { status: 'failed', finishedAt: ago(31) } },
    { jobId: jobs[2].id, patch: { status: 'succeeded', finishedAt: ago(29) } },
    // Unfinished jobs stay however old they are.
    { jobId: jobs[3].id, patch: { status: 'suspended', startedAt: ago(90) } },
  ]);
  return jobs;
}

const log = () => {};

describe('retention', () => {
  test('deletes finished jobs older than the retention days, with their steps', async () => {
    const jobs = await seed();
    const retention = new Retention(
      { store, options: { ...DEFAULT_RUNTIME_OPTIONS, jobRetentionDays: 30 }, log },
      () => NOW,
    );
    expect(await retention.sweep()).toBe(2);
    expect(await store.getJob(jobs[0].id)).toBeUndefined();
    expect(await store.getJob(jobs[1].id)).toBeUndefined();
    const left = (await store.listJobs({ limit: 10 })).items.map((j) => j.id).sort();
    expect(left).toEqual([jobs[2].id, jobs[3].id, jobs[4].id].sort());
    expect(await retention.sweep()).toBe(0);
  });

  test('0 days keeps every job', async () => {
    await seed();
    const retention = new Retention(
      { store, options: { ...DEFAULT_RUNTIME_OPTIONS, jobRetentionDays: 0 }, log },
      () => NOW,
    );
    expect(await retention.sweep()).toBe(0);
    expect((await store.listJobs({ limit: 10 })).items).toHaveLength(5);
  });

  test('many old jobs go in batches', async () => {
    const recipe = await store.insertRecipe(newRecipe());
    const { jobs } = await store.createJobs({ recipeId: recipe.id, events: Array.from({ length: 2500 }, (_, i) => i) });
    const old = new Date(NOW - 100 * DAY).toISOString();
    await store.saveJobProgress(
      jobs.map((j) => ({ jobId: j.id, patch: { status: 'succeeded' as const, finishedAt: old } })),
    );
    const retention = new Retention(
      { store, options: { ...DEFAULT_RUNTIME_OPTIONS, jobRetentionDays: 7 }, log },
      () => NOW,
    );
    expect(await retention.sweep()).toBe(2500);
    expect((await store.listJobs({ limit: 10 })).items).toEqual([]);
  });
});
