import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { keyCounter, LabApi, labForFile, labStep, startLab } from '../__fixtures__/jobs-harness.js';
import { SqliteStore } from '../store/sqlite.js';

const lab = labForFile();

const keyOf = keyCounter();

describe('multistep actions', () => {
  test('a suspended action runs again with its continue until it returns', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('export', 'multistep', { rounds: 3 }),
        labStep('after', 'record', { key: '=trigger.key', value: 'rounds {{steps.export.rounds}}' }),
      ],
    });
    const key = keyOf('multi');
    const job = await lab.run(recipe, { key });
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(job.steps[0]).toMatchObject({
      stepId: 'export',
      status: 'succeeded',
      attempts: 4,
      output: { rounds: 3, done: true },
    });
    expect(lab.api.records.find((r) => r.key === key)?.value).toBe('rounds 3');
  });

  test('more than 100 re-invocations fail the job', async () => {
    const recipe = await lab.recipe({ steps: [labStep('forever', 'multistep', { rounds: 1000 })] });
    const [created] = await lab.jobs(recipe, [{}]);
    const job = await lab.job(created.id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'MULTISTEP_LIMIT', stepId: 'forever' } });
    expect(job.steps[0].attempts).toBe(101);
  });
});

describe('wait for resume', () => {
  test('the action waits until its resume URL is called, then runs again with the call', async () => {
    const recipe = await lab.recipe({
      steps: [
        labStep('approve', 'approval', { key: '=trigger.key' }),
        labStep('after', 'record', { key: '=trigger.key', value: '{{steps.approve.resume.payload.decision}}' }),
      ],
    });
    const key = keyOf('wait');
    const [created] = await lab.jobs(recipe, [{ key }]);
    const suspended = await lab.job(created.id, ['suspended']);
    expect(suspended.steps[0]).toMatchObject({ stepId: 'approve', status: 'suspended', finishedAt: null });
    const url = lab.api.approvals.find((a) => a.key === key)!.url;
    expect(url).toMatch(new RegExp(`^${lab.server.url}/webhooks/resume/${created.id}/[A-Za-z0-9_-]{32}$`));

    const wrong = await fetch(`${url.slice(0, -4)}${url.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, { method: 'POST' });
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ error: { code: 'RESUME_NOT_FOUND' } });

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-approver': 'ann', authorization: 'Bearer secret' },
      body: JSON.stringify({ decision: 'yes' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ jobId: created.id, status: 'resumed' });
    const job = await lab.job(created.id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
    const output = job.steps[0].output as { resume: { payload: unknown; headers: Record<string, string> } };
    expect(output).toMatchObject({ resume: { payload: { decision: 'yes' } }, continue: { key } });
    expect(output.resume.headers['x-approver']).toBe('ann');
    expect(output.resume.headers).not.toHaveProperty('authorization');
    expect(lab.api.records.find((r) => r.key === key)?.value).toBe('yes');
    // Once resumed, the URL is spent.
    expect((await fetch(url, { method: 'POST' })).status).toBe(404);
  });

  test('a resume body that is not UTF-8, or is compressed, is a 415 and the job still waits', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('approve', 'approval', { key: '=trigger.key' })],
    });
    const key = keyOf('bytes');
    const [created] = await lab.jobs(recipe, [{ key }]);
    await lab.job(created.id, ['suspended']);
    const url = lab.api.approvals.find((a) => a.key === key)!.url;
    // "café" in Latin-1: read as UTF-8 it would reach the action as "caf\uFFFD".
    const latin1 = Buffer.concat([Buffer.from('{"decision":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    for (const [headers, body] of [
      [{ 'content-type': 'application/json' }, latin1],
      [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync('{"decision":"yes"}')],
    ] as const) {
      const res = await fetch(url, { method: 'POST', headers, body });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await lab.job(created.id, ['suspended'])).status).toBe('suspended');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'café' }),
    });
    expect(res.status).toBe(202);
    const job = await lab.job(created.id);
    expect(job.steps[0].output).toMatchObject({ resume: { payload: { decision: 'café' } } });
  });

  test('a call that arrives before the action has suspended is kept for it', async () => {
    const recipe = await lab.recipe({ steps: [labStep('approve', 'approval', { key: '=trigger.key' })] });
    const [created] = await lab.jobs(recipe, [{ key: keyOf('instant') }]);
    const job = await lab.job(created.id);
    expect(job.status).toBe('succeeded');
    expect(job.steps[0].output).toMatchObject({ resume: { payload: { decision: 'instant' } } });
    await lab.api.until(() => lab.api.instantResumes.length > 0);
    expect(lab.api.instantResumes).toEqual([202]);
  });

  test('without a call the action runs again after the timeout with resume.timedOut', async () => {
    const recipe = await lab.recipe({
      steps: [labStep('approve', 'approval', { key: '=trigger.key', timeout_seconds: 0.2 })],
    });
    const key = keyOf('timeout');
    const job = await lab.run(recipe, { key });
    expect(job.status).toBe('succeeded');
    expect(job.steps[0].output).toMatchObject({ resume: { timedOut: true } });
    const url = lab.api.approvals.find((a) => a.key === key)!.url;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

/** A lab of its own (on an API that outlives it, for the next start) with one started recipe of `steps`. */
async function labBeforeCrash(steps: ReturnType<typeof labStep>[]) {
  const api = new LabApi();
  const first = await startLab({ api });
  return { api, first, recipe: await first.recipe({ steps }) };
}

describe('recovery after a crash', () => {
  test('closing the server lets the running step finish; the job goes on from the next step at the next start', async () => {
    const { api, first, recipe } = await labBeforeCrash([
      labStep('slow', 'record', { key: '=trigger.key', value: 'slow', delay_ms: 150 }),
      labStep('next', 'record', { key: '=trigger.key', value: 'next' }),
    ]);
    const [created] = await first.jobs(recipe, [{ key: 'closing' }]);
    await api.until(() => api.active > 0);
    await first.server.close();
    const store = await SqliteStore.open(`${first.home}/weft.db`);
    const left = await store.getJob(created.id);
    await store.close();
    // A graceful stop hands the attempt back: the next start counts it again.
    expect(left).toMatchObject({ status: 'running', attempts: 0 });
    expect(left?.steps.map((s) => [s.stepId, s.status])).toEqual([['slow', 'succeeded']]);

    const second = await startLab({ api, home: first.home });
    try {
      expect(await second.job(created.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(api.records.filter((r) => r.key === 'closing').map((r) => r.value)).toEqual(['slow', 'next']);
    } finally {
      await second.close();
      await api.close();
    }
  });

  test('a job left running with one finished step goes on from the next step', async () => {
    const { api, first, recipe } = await labBeforeCrash([
      labStep('a', 'record', { key: '=trigger.key', value: 'a' }),
      labStep('b', 'record', { key: '=trigger.key', value: 'b after {{steps.a.n}}' }),
      labStep('c', 'record', { key: '=trigger.key', value: 'c' }),
    ]);
    await first.server.close();

    // What a kill -9 during step b leaves: the job running, step a's record committed.
    const store = await SqliteStore.open(`${first.home}/weft.db`);
    const { jobs } = await store.createJobs({ recipeId: recipe, events: [{ key: 'crash' }] });
    const startedAt = new Date(Date.now() - 1000).toISOString();
    await store.updateJob(jobs[0].id, { status: 'running', attempts: 1, startedAt });
    await store.saveJobStep({
      jobId: jobs[0].id,
      seq: 0,
      stepId: 'a',
      status: 'succeeded',
      input: { key: 'crash', value: 'a' },
      output: { key: 'crash', value: 'a', n: 41 },
      error: null,
      state: undefined,
      attempts: 1,
      startedAt,
      finishedAt: startedAt,
    });
    await store.close();

    const second = await startLab({ api, home: first.home });
    try {
      const job = await second.job(jobs[0].id);
      expect(job).toMatchObject({ status: 'succeeded', attempts: 2, startedAt });
      expect(job.steps.map((s) => [s.stepId, s.status])).toEqual([
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
      ]);
      expect(api.records.filter((r) => r.key === 'crash').map((r) => r.value)).toEqual(['b after 41', 'c']);
    } finally {
      await second.close();
      await api.close();
    }
  });
});
