import { describe, expect, test } from 'vitest';
import { eventually, labForFile, labStep } from '../__fixtures__/jobs-harness.js';

const lab = labForFile();

const pollingRecipe = (overrides: Record<string, unknown> = {}) => ({
  name: 'new items',
  trigger: { connector: 'lab', connection: 'lab-main', trigger: 'new_item', input: { limit: 2 } },
  steps: [labStep('rec', 'record', { key: 'polled', value: '{{trigger.id}}' })],
  ...overrides,
});

describe('polling recipes', () => {
  test('a started recipe polls at once, page after page while canPollMore, and its events become jobs in order', async () => {
    lab.api.items = [1, 2, 3, 4, 5].map((id) => ({ id, name: `item ${id}` }));
    const recipe = await lab.recipe(pollingRecipe());
    const jobs = await eventually(async () => {
      const list = await lab.list(recipe);
      return list.length === 5 ? list : undefined;
    }, 'five jobs');
    expect(jobs.map((j) => (j.trigger as { id: number }).id)).toEqual([1, 2, 3, 4, 5]);
    expect(lab.api.polls.slice(0, 3)).toEqual([0, 2, 4]);
    const state = await lab.server.store.getTriggerState(recipe);
    expect(state).toMatchObject({ closure: { after: 5 }, lastPollError: null });
    for (const job of jobs) expect((await lab.job(job.id)).status).toBe('succeeded');
    expect(
      lab.api.records
        .filter((r) => r.key === 'polled')
        .slice(-5)
        .map((r) => r.value),
    ).toEqual(['1', '2', '3', '4', '5']);
    await lab.call('POST', `/api/recipes/${recipe}/stop`);
  });

  test('events seen before create no job again (dedup), and the closure moves on', async () => {
    lab.api.items = [{ id: 1 }, { id: 2 }];
    const trigger = { connector: 'lab', connection: 'lab-main', trigger: 'new_item', input: { limit: 10 } };
    const recipe = await lab.recipe(pollingRecipe({ steps: [], trigger }));
    await eventually(async () => ((await lab.list(recipe)).length === 2 ? true : undefined), 'two jobs');
    lab.api.ignoreCursor = true;
    lab.api.items = [{ id: 1 }, { id: 2 }, { id: 3 }];
    try {
      await lab.server.context.jobs!.scheduler.pollNow(recipe);
      // Every poll answers from the start: ids 1 and 2 come back and are dropped; 3 is new.
      await lab.server.context.jobs!.scheduler.pollNow(recipe);
      lab.api.items = [{ id: 3 }, { id: 4 }];
      await lab.server.context.jobs!.scheduler.pollNow(recipe);
    } finally {
      lab.api.ignoreCursor = false;
    }
    const ids = (await lab.list(recipe)).map((j) => (j.trigger as { id: number }).id);
    expect(ids).toEqual([1, 2, 3, 4]);
    expect((await lab.server.store.getTriggerState(recipe))?.closure).toEqual({ after: 4 });
    await lab.call('POST', `/api/recipes/${recipe}/stop`);
  });

  test('a failing poll keeps the closure and shows as the last poll error; the next good poll clears it', async () => {
    lab.api.items = [{ id: 1 }];
    const recipe = await lab.recipe(pollingRecipe({ steps: [] }));
    await eventually(async () => ((await lab.list(recipe)).length === 1 ? true : undefined), 'one job');
    lab.api.items = [{ id: 1 }, { id: 2 }];
    lab.api.pollFailures = 1;
    await lab.server.context.jobs!.scheduler.pollNow(recipe);
    const failed = await lab.server.store.getTriggerState(recipe);
    expect(failed).toMatchObject({ closure: { after: 1 }, lastPollError: { code: 'HTTP_ERROR' } });
    expect(failed?.lastPollError?.message).toMatch(/HTTP 500/);
    expect(await lab.list(recipe)).toHaveLength(1);
    await lab.server.context.jobs!.scheduler.pollNow(recipe);
    expect(await lab.server.store.getTriggerState(recipe)).toMatchObject({
      closure: { after: 2 },
      lastPollError: null,
    });
    expect(await lab.list(recipe)).toHaveLength(2);
    await lab.call('POST', `/api/recipes/${recipe}/stop`);
  });

  test('a cycle stops after 600 polls in a row without a new job, however much canPollMore says', async () => {
    lab.api.items = [{ id: 1 }];
    const recipe = await lab.recipe(pollingRecipe({ steps: [] }), { start: false });
    lab.api.ignoreCursor = true;
    lab.api.alwaysMore = true;
    const before = lab.api.polls.length;
    try {
      await lab.call('POST', `/api/recipes/${recipe}/start`);
      await eventually(async () => ((await lab.list(recipe)).length === 1 ? true : undefined), 'one job');
      // The first pollNow joins the cycle in flight; the second runs a cycle of its own.
      await lab.server.context.jobs!.scheduler.pollNow(recipe);
      await lab.server.context.jobs!.scheduler.pollNow(recipe);
    } finally {
      lab.api.ignoreCursor = false;
      lab.api.alwaysMore = false;
    }
    // The first cycle: one poll with the new event, then 600 empty ones; the second: 600.
    expect(lab.api.polls.length - before).toBe(1 + 600 + 600);
    expect(await lab.list(recipe)).toHaveLength(1);
    await lab.call('POST', `/api/recipes/${recipe}/stop`);
  }, 60_000);

  test('polls repeat every pollIntervalSeconds, and stopping the recipe ends them', async () => {
    lab.api.items = [];
    const recipe = await lab.recipe(
      pollingRecipe({
        steps: [],
        trigger: { connector: 'lab', connection: 'lab-main', trigger: 'new_item', input: {}, pollIntervalSeconds: 1 },
      }),
    );
    const scheduler = lab.server.context.jobs!.scheduler;
    expect(scheduler.polling()).toContain(recipe);
    const start = lab.api.polls.length;
    await lab.api.until(() => lab.api.polls.length >= start + 2);
    await lab.call('POST', `/api/recipes/${recipe}/stop`);
    expect(scheduler.polling()).not.toContain(recipe);
    const after = lab.api.polls.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(lab.api.polls.length).toBe(after);
  });
});
