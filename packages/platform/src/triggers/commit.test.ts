import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { Runtime } from '../runtime/runtime.js';
import { SqliteStore } from '../store/sqlite.js';
import type { JobRecord } from '../store/store.js';
import { GroupCommit } from './commit.js';

let store: SqliteStore;
let runtime: Runtime;
let heard: JobRecord[][];

beforeEach(async () => {
  store = await SqliteStore.open(':memory:');
  runtime = new Runtime();
  heard = [];
  runtime.onJobsCommitted((jobs) => heard.push([...jobs]));
});
afterEach(async () => {
  await store.close();
});

const recipe = (name: string) => store.insertRecipe(newRecipe(name));

test('requests of the same turn share one transaction, and the runtime hears of the jobs after it', async () => {
  const r = await recipe('r');
  const commits = new GroupCommit({ store, runtime });
  const spy = vi.spyOn(store, 'createJobsMany');
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      commits.commit({ recipeId: r.id, events: [{ i }], signatures: [`s${i % 5}`] }),
    ),
  );
  expect(spy).toHaveBeenCalledTimes(1);
  expect(commits.transactions).toBe(1);
  expect(results.map((c) => c.jobs.length)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  expect(results.slice(5).every((c) => c.duplicates === 1)).toBe(true);
  expect(heard).toHaveLength(1);
  expect(heard[0].map((j) => j.trigger)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
  // Each job was committed when the runtime heard of it.
  expect(await store.getJob(heard[0][0].id)).toBeDefined();
});

test('one failing input does not fail the others of its batch', async () => {
  const r = await recipe('r');
  const commits = new GroupCommit({ store, runtime });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const outcomes = await Promise.allSettled([
    commits.commit({ recipeId: r.id, events: [{ n: 1 }] }),
    commits.commit({ recipeId: 'rcp_gone', events: [{ n: 2 }] }),
    commits.commit({ recipeId: r.id, events: [circular] }),
    commits.commit({ recipeId: r.id, events: [{ n: 3 }] }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'NOT_FOUND' });
  expect((await store.listJobs({ limit: 10, recipeId: r.id })).items.map((j) => j.trigger)).toEqual([
    { n: 3 },
    { n: 1 },
  ]);
});

test('requests arriving during a commit join the next one', async () => {
  const r = await recipe('r');
  const commits = new GroupCommit({ store, runtime });
  const original = store.createJobsMany.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sizes: number[] = [];
  vi.spyOn(store, 'createJobsMany').mockImplementation(async (inputs) => {
    sizes.push(inputs.length);
    if (sizes.length === 1) await gate;
    return original(inputs);
  });
  const first = commits.commit({ recipeId: r.id, events: [1] });
  await new Promise((resolve) => setImmediate(resolve));
  const later = [2, 3, 4].map((n) => commits.commit({ recipeId: r.id, events: [n] }));
  release();
  await Promise.all([first, ...later]);
  expect(sizes).toEqual([1, 3]);
});
