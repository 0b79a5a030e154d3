import { describe, expect, test } from 'vitest';
import { eventually, keyCounter, labForFile, labStep } from '../__fixtures__/jobs-harness.js';

const lab = labForFile();

const keyOf = keyCounter();

describe('steps', () => {
  test('action steps run in order, each reading earlier outputs; records keep input, output and times', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('first', 'record', { key: '=trigger.key', value: 'one' }),
        labStep('second', 'record', { key: '=trigger.key', value: 'after {{steps.first.n}}' }),
      ],
    });
    const key = keyOf('order');
    const job = await lab.run(recipe, { key });
    const mine = lab.api.records.filter((r) => r.key === key);
    expect(mine.map((r) => r.value)).toEqual(['one', `after ${mine[0].n}`]);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, error: null, trigger: { key } });
    expect(job.startedAt && job.finishedAt && job.startedAt <= job.finishedAt).toBe(true);
    expect(job.steps.map((s) => [s.seq, s.stepId, s.status])).toEqual([
      [0, 'first', 'succeeded'],
      [1, 'second', 'succeeded'],
    ]);
    expect(job.steps[1]).toMatchObject({
      input: { key, value: `after ${mine[0].n}` },
      output: { key, value: `after ${mine[0].n}`, n: mine[1].n },
      error: null,
      attempts: 1,
    });
    expect(job.steps[1].startedAt! <= job.steps[1].finishedAt!).toBe(true);
  });

  test('if runs the branch its condition picks', async () => {
    const recipe = await lab.recipe({
      steps: [
        {
          id: 'size',
          if: '=trigger.n > 10',
          then: [labStep('big', 'record', { key: '=trigger.key', value: 'big' })],
          else: [labStep('small', 'record', { key: '=trigger.key', value: 'small' })],
        },
      ],
    });
    const [a, b] = await lab.jobs(recipe, [
      { key: keyOf('if'), n: 50 },
      { key: keyOf('if'), n: 5 },
    ]);
    expect((await lab.job(a.id)).steps.map((s) => [s.stepId, s.output])).toEqual([
      ['big', expect.objectContaining({ value: 'big' })],
    ]);
    expect((await lab.job(b.id)).steps.map((s) => [s.stepId, s.output])).toEqual([
      ['small', expect.objectContaining({ value: 'small' })],
    ]);
  });

  test('foreach runs its steps per element, with the iteration in the step id', async () => {
    const recipe = await lab.recipe({
      steps: [
        {
          id: 'lines',
          foreach: '=trigger.items',
          as: 'line',
          do: [labStep('line', 'record', { key: '=trigger.key', value: '=line.sku' })],
        },
        labStep('after', 'record', { key: '=trigger.key', value: 'last {{steps.line.value}}' }),
      ],
    });
    const key = keyOf('foreach');
    const [job, empty] = await lab.jobs(recipe, [{ key, items: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] }, { key }]);
    const done = await lab.job(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.seq, s.stepId, (s.output as { value: string }).value])).toEqual([
      [0, 'line[0]', 'a'],
      [1, 'line[1]', 'b'],
      [2, 'line[2]', 'c'],
      [3, 'after', 'last c'],
    ]);
    // No list: no element.
    expect((await lab.job(empty.id)).steps.map((s) => s.stepId)).toEqual(['after']);
  });

  test('stop ends the job: succeeded, or failed with its message', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('before', 'record', { key: '=trigger.key' }),
        {
          id: 'check',
          if: '=trigger.bad',
          then: [{ id: 'refuse', stop: { error: true, message: 'Order {{trigger.key}} is bad' } }],
          else: [{ id: 'done', stop: { error: false } }],
        },
        labStep('never', 'record', { key: '=trigger.key' }),
      ],
    });
    const good = keyOf('stop');
    const bad = keyOf('stop');
    const [a, b] = await lab.jobs(recipe, [{ key: good }, { key: bad, bad: true }]);
    const succeeded = await lab.job(a.id);
    expect(succeeded).toMatchObject({ status: 'succeeded', error: null });
    expect(succeeded.steps.map((s) => s.stepId)).toEqual(['before']);
    const failed = await lab.job(b.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'STOPPED', message: `Order ${bad} is bad`, stepId: 'refuse' },
    });
    expect(lab.api.records.filter((r) => r.key === good || r.key === bad)).toHaveLength(2);
  });

  test('a failing step fails the job with { code, message, stepId } after the onError steps ran', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('boom', 'fail', { message: 'The contact is archived' }),
        labStep('never', 'record', { key: 'never' }),
      ],
      onError: [labStep('report', 'record', { key: '=trigger.key', value: '{{error.stepId}}: {{error.message}}' })],
    });
    const key = keyOf('onerror');
    const job = await lab.run(recipe, { key });
    expect(job).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'CONNECTOR_ERROR', message: 'The contact is archived', stepId: 'boom' },
    });
    expect(job.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['boom', 'failed'],
      ['report', 'succeeded'],
    ]);
    expect(job.steps[0].error).toMatchObject({ code: 'CONNECTOR_ERROR', stepId: 'boom' });
    expect(lab.api.records.find((r) => r.key === key)?.value).toBe('boom: The contact is archived');
    expect(lab.api.records.some((r) => r.key === 'never')).toBe(false);
  });

  test('onError steps that end with stop { error: false } mark the failure handled', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('boom', 'fail', { message: 'nope' })],
      onError: [{ id: 'handled', stop: { error: false } }],
    });
    const [created] = await lab.jobs(recipe, [{}]);
    expect(await lab.job(created.id)).toMatchObject({ status: 'succeeded', error: null });
  });

  test('a formula that fails at run time fails the job with its path', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('bad', 'record', { key: '=$number(trigger.key) + $undefinedFunction()' })],
    });
    const [created] = await lab.jobs(recipe, [{ key: 'x' }]);
    const job = await lab.job(created.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'FORMULA_ERROR', stepId: 'bad', path: 'steps[0].input.key' });
  });

  test('long lists are summarized in the records, while later steps read them whole', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ i }));
    const recipe = await lab.recipe({
      steps: [
        labStep('big', 'list', { count: 25, items: '=trigger.items' }),
        labStep('use', 'record', {
          key: '=trigger.key',
          value: '{{steps.big.records[24].i}} of {{$count(steps.big.page.rows)}}',
        }),
      ],
    });
    const key = keyOf('summary');
    const [created] = await lab.jobs(recipe, [{ key, items }]);
    const job = await lab.job(created.id);
    expect(job.status).toBe('succeeded');
    expect(job.steps[0].input).toEqual({
      count: 25,
      items: { $summarized: 'array', count: 12, first: items.slice(0, 10) },
    });
    expect(job.steps[0].output).toEqual({
      records: { $summarized: 'array', count: 25, first: Array.from({ length: 10 }, (_, i) => ({ i })) },
      page: { rows: { $summarized: 'array', count: 25, first: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } },
      total: 25,
    });
    expect(job.steps[1].output).toMatchObject({ value: '24 of 25' });
  });
});

describe('order and concurrency', () => {
  test('with concurrency 1 the jobs of a recipe run one at a time, in order of creation', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('rec', 'record', { key: '=trigger.key', value: '=trigger.i', delay_ms: '=trigger.delay' })],
    });
    const key = keyOf('serial');
    const events = Array.from({ length: 8 }, (_, i) => ({ key, i: String(i), delay: i % 2 ? 1 : 15 }));
    const jobs = await lab.jobs(recipe, events);
    for (const job of jobs) await lab.job(job.id);
    expect(lab.api.records.filter((r) => r.key === key).map((r) => r.value)).toEqual(events.map((e) => e.i));
    expect(lab.api.maxActive).toBe(1);
  });

  test('with concurrency 4 up to four jobs of the recipe run at once', async () => {
    const recipe = await lab.recipe({
      concurrency: 4,
      steps: [labStep('rec', 'record', { key: '=trigger.key', delay_ms: 40 })],
    });
    const key = keyOf('parallel');
    const jobs = await lab.jobs(
      recipe,
      Array.from({ length: 8 }, () => ({ key })),
    );
    for (const job of jobs) await lab.job(job.id);
    expect(lab.api.maxActive).toBe(4);
  });
});

describe('retries', () => {
  test('a retryable failure (HTTP 503) runs the job again with back-off, from the failed step', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('first', 'record', { key: '=trigger.key' }),
        labStep('shaky', 'flaky', { key: '=trigger.key', failures: 2 }),
      ],
    });
    const key = keyOf('retry');
    const [created] = await lab.jobs(recipe, [{ key }]);
    // Between attempts: pending, with the error and the time of the next attempt.
    const waiting = await eventually(async () => {
      const job = await lab.server.store.getJob(created.id);
      return job?.error || job?.status === 'succeeded' ? job : undefined;
    }, 'the first failure');
    if (waiting.status === 'pending') {
      expect(waiting.error).toMatchObject({ code: 'HTTP_ERROR', status: 503, stepId: 'shaky' });
      expect(waiting.runAt).not.toBeNull();
    }
    const job = await lab.job(created.id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 3, error: null });
    expect(job.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['first', 'succeeded', 1],
      ['shaky', 'succeeded', 3],
    ]);
    // The first step ran once: later attempts reused its record.
    expect(lab.api.records.filter((r) => r.key === key)).toHaveLength(1);
    expect(lab.api.flakyCalls.get(key)).toBe(3);
  });

  test('after the last attempt the job fails with the error', async () => {
    const recipe = await lab.recipe({ steps: [labStep('shaky', 'flaky', { key: '=trigger.key', failures: 9 })] });
    const key = keyOf('retry-out');
    const job = await lab.run(recipe, { key });
    expect(job).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'HTTP_ERROR', status: 503, stepId: 'shaky' },
    });
    expect(job.error?.message).toMatch(/HTTP 503/);
    expect(lab.api.flakyCalls.get(key)).toBe(3);
  });

  test('a client error (HTTP 400) is not retried', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('shaky', 'flaky', { key: '=trigger.key', failures: 9, status: 400 })],
    });
    const key = keyOf('no-retry');
    const [created] = await lab.jobs(recipe, [{ key }]);
    expect(await lab.job(created.id)).toMatchObject({ status: 'failed', attempts: 1, error: { status: 400 } });
    expect(lab.api.flakyCalls.get(key)).toBe(1);
  });
});
