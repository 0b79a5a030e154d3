import { afterEach, beforeEach, expect, test } from 'vitest';
import { SqliteStore } from './sqlite.js';
import type { JobStepRecord, RecipeRepository, Store } from './store.js';

let store: Store;
beforeEach(async () => {
  store = await SqliteStore.open(':memory:');
});
afterEach(async () => {
  await store.close();
});

const step = (jobId: string, output: unknown): JobStepRecord => ({
  jobId,
  seq: 0,
  stepId: 'a',
  status: 'succeeded',
  input: {},
  output,
  error: null,
  state: null,
  attempts: 1,
  startedAt: null,
  finishedAt: null,
});

/** Code that needs one aggregate takes its repository; a store is one. */
const addRecipe = (recipes: RecipeRepository) =>
  recipes.insertRecipe({
    name: 'r',
    definition: {
      name: 'r',
      trigger: { connector: 'crm', trigger: 't', input: {}, pollIntervalSeconds: 300 },
      steps: [],
      onError: [],
      concurrency: 1,
    },
    connectorVersions: {},
    webhookSecret: 's',
  });

test('a recipe definition comes back as the recipe it was stored as', async () => {
  const recipe = await addRecipe(store);
  expect((await store.getRecipe(recipe.id))?.definition.trigger.connector).toBe('crm');
});

test('saveJobStep replaces a step and keeps the full output the engine wrote', async () => {
  const recipe = await addRecipe(store);
  const [job] = (await store.createJobs({ recipeId: recipe.id, events: [{}] })).jobs;
  await store.saveJobProgress([
    {
      jobId: job.id,
      patch: { status: 'suspended', attempts: 1 },
      steps: [{ ...step(job.id, { n: 1 }), fullOutput: { n: 1, all: [1, 2] } }],
    },
  ]);
  await store.saveJobStep(step(job.id, { n: 2 }));
  const [started] = await store.startJobs([job.id], new Date().toISOString());
  expect(started).toMatchObject({ kind: 'started', steps: [{ output: { n: 2 }, fullOutput: { n: 1, all: [1, 2] } }] });
});

test('a signature seen by the webhook path is a duplicate for a poll, and the other way round', async () => {
  const recipe = await addRecipe(store);
  await store.createJobsMany([{ recipeId: recipe.id, events: [{ id: 1 }], signatures: ['1'] }]);
  const poll = await store.commitPoll({ recipeId: recipe.id, events: [{ id: 1 }, { id: 2 }], signatures: ['1', '2'] });
  expect(poll).toMatchObject({ duplicates: 1, jobs: [{ trigger: { id: 2 } }] });
  expect(await store.createJobs({ recipeId: recipe.id, events: [{ id: 2 }], signatures: ['2'] })).toMatchObject({
    duplicates: 1,
    jobs: [],
  });
});
