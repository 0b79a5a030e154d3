import { describe, expect, test } from 'vitest';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { SqliteStore } from '../store/sqlite.js';
import { EmbeddedQueue, type QueueItem } from './queue.js';
import { runQueueContract } from './queue-contract.js';
import { recoverableJobs } from './workers.js';

describe('EmbeddedQueue passes the queue contract', () => {
  runQueueContract((options) => new EmbeddedQueue(options));
});

describe('EmbeddedQueue recovery', () => {
  test('on start it runs every unfinished job of the store, oldest first, before new ones', async () => {
    const store = await SqliteStore.open(':memory:');
    const recipe = await store.insertRecipe(newRecipe());
    const { jobs } = await store.createJobs({ recipeId: recipe.id, events: [1, 2, 3, 4] });
    await store.updateJob(jobs[0].id, { status: 'succeeded', finishedAt: new Date().toISOString() });
    await store.updateJob(jobs[1].id, { status: 'running' });
    // The queue's clock is the test's: the suspended job falls due only when the test says so,
    // however long the machine takes to start the queue (30 ms of wall clock once raced it).
    let clock = Date.now();
    await store.updateJob(jobs[2].id, { status: 'suspended', runAt: new Date(clock + 30).toISOString() });
    const queue = new EmbeddedQueue({ workers: 4, now: () => clock, recover: () => recoverableJobs(store) });
    const ran: QueueItem[] = [];
    const starting = queue.start(async (item) => {
      ran.push(item);
    });
    const { jobs: late } = await store.createJobs({ recipeId: recipe.id, events: [5] });
    queue.enqueue([{ jobId: late[0].id, recipeId: recipe.id }]);
    await starting;
    for (let spins = 0; ran.length < 3 && spins < 10_000; spins++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toHaveLength(3);
    clock += 60_000;
    await queue.idle();
    expect(ran.map((i) => i.jobId)).toEqual([jobs[1].id, jobs[3].id, late[0].id, jobs[2].id]);
    await queue.stop();
    await store.close();
  });
});
