/**
 * The store contract, continued: what the job engine needs of a store (claims, progress,
 * suspensions and resumes, retention). Run from `runStoreContract` in contract.ts.
 */
import { describe, expect, test } from 'vitest';
import type { NewRecipe, RunStepRecord, Store } from './store.js';

export function runJobEngineContract(
  getStore: () => Store,
  recipe: (name?: string) => NewRecipe,
  step: (jobId: string, seq: number) => RunStepRecord,
): void {
  describe('job engine', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const startJob = async (id: string, when: string) => (await getStore().startJobs([id], when))[0];

    test('unfinishedJobs lists pending, running and suspended jobs, oldest first', async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [1, 2, 3, 4, 5] });
      await getStore().updateJob(jobs[0].id, { status: 'succeeded', finishedAt: at(1) });
      await getStore().updateJob(jobs[1].id, { status: 'running' });
      await getStore().updateJob(jobs[2].id, { status: 'suspended', runAt: at(9) });
      await getStore().updateJob(jobs[3].id, { status: 'failed', finishedAt: at(1) });
      expect(await getStore().unfinishedJobs()).toEqual([
        { id: jobs[1].id, recipeId: r.id, status: 'running', runAt: null },
        { id: jobs[2].id, recipeId: r.id, status: 'suspended', runAt: at(9) },
        { id: jobs[4].id, recipeId: r.id, status: 'pending', runAt: null },
      ]);
    });

    test('startJobs claims due jobs: running, one more attempt, steps with full outputs', async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [{ n: 1 }, { n: 2 }] });
      const id = jobs[0].id;
      const [first, other, missing] = await getStore().startJobs([id, jobs[1].id, 'job_nope'], at(1));
      expect(first).toMatchObject({
        kind: 'started',
        job: { status: 'running', attempts: 1, startedAt: at(1), runAt: null, trigger: { n: 1 } },
        resumed: false,
        unwritten: true,
        steps: [],
        wait: null,
      });
      expect(other).toMatchObject({ kind: 'started', job: { trigger: { n: 2 } } });
      expect(missing).toEqual({ kind: 'gone' });
      // A pending job's running state is the caller's to write, with its first write.
      expect(await getStore().getJob(id)).toMatchObject({ status: 'pending', attempts: 0 });
      await getStore().saveJobProgress([
        { jobId: id, patch: { status: 'running', attempts: 1, startedAt: at(1) }, steps: [step(id, 0)] },
      ]);
      // Found running: cut short by a crash. Marked in the claim, with a new attempt.
      const again = await startJob(id, at(2));
      expect(again).toMatchObject({ kind: 'started', unwritten: false, job: { attempts: 2, startedAt: at(1) } });
      expect(await getStore().getJob(id)).toMatchObject({ status: 'running', attempts: 2, startedAt: at(1) });
      await getStore().saveJobProgress([
        {
          jobId: id,
          patch: { status: 'pending', runAt: at(5), error: { code: 'HTTP_ERROR', message: 'm', stepId: 'b' } },
          steps: [
            { ...step(id, 0), output: { n: 1 }, fullOutput: { n: 1, all: [1, 2, 3] } },
            { ...step(id, 1), status: 'failed', output: null, error: { code: 'HTTP_ERROR', message: 'm' } },
          ],
        },
      ]);
      expect(await startJob(id, at(4))).toEqual({ kind: 'notDue', runAt: at(5) });
      const retry = await startJob(id, at(5));
      if (retry.kind !== 'started') throw new Error('not started');
      expect(retry.job).toMatchObject({ status: 'running', attempts: 3, startedAt: at(1) });
      expect(retry.steps.map((s) => [s.seq, s.status, s.fullOutput])).toEqual([
        [0, 'succeeded', { n: 1, all: [1, 2, 3] }],
        [1, 'failed', undefined],
      ]);
      // The API's view never carries the full output.
      const job = await getStore().getJob(id);
      expect(job?.steps[0]).not.toHaveProperty('fullOutput');
      expect(job?.steps[0].output).toEqual({ n: 1 });
      await getStore().saveJobProgress([{ jobId: id, patch: { status: 'succeeded', finishedAt: at(7) } }]);
      expect(await startJob(id, at(8))).toEqual({ kind: 'gone' });
    });

    test("a step's log lines are kept with it (0010): read by claims and the API's view, replaced with the step", async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [{}] });
      const id = jobs[0].id;
      const logs = [
        { level: 'info' as const, message: 'é "quoted" \\ line', at: at(1) },
        { level: 'debug' as const, message: 'with data', at: at(1), data: { page: 2, token: '[REDACTED]' } },
      ];
      await getStore().saveJobProgress([
        {
          jobId: id,
          patch: { status: 'suspended', runAt: at(1) },
          steps: [{ ...step(id, 0), status: 'suspended', logs }],
        },
      ]);
      const claimed = await startJob(id, at(2));
      if (claimed.kind !== 'started') throw new Error('not started');
      expect(claimed.steps[0].logs).toEqual(logs);
      expect((await getStore().getJob(id))?.steps[0].logs).toEqual(logs);
      await getStore().saveJobProgress([{ jobId: id, steps: [{ ...step(id, 0), logs: null }] }]);
      expect((await getStore().getJob(id))?.steps[0].logs).toBeNull();
    });

    test('saveJobProgress writes several jobs in one go, and is all or nothing', async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [1, 2] });
      await getStore().saveJobProgress([
        { jobId: jobs[0].id, patch: { status: 'running', attempts: 1 }, steps: [step(jobs[0].id, 0)] },
        { jobId: jobs[1].id, patch: { status: 'succeeded', finishedAt: at(2) }, steps: [step(jobs[1].id, 0)] },
      ]);
      expect((await getStore().getJob(jobs[0].id))?.steps).toHaveLength(1);
      expect(await getStore().getJob(jobs[1].id)).toMatchObject({ status: 'succeeded', steps: [{ stepId: 'step0' }] });
      // A step replaced by (job, seq).
      await getStore().saveJobProgress([{ jobId: jobs[0].id, steps: [{ ...step(jobs[0].id, 0), stepId: 'again' }] }]);
      expect((await getStore().getJob(jobs[0].id))?.steps.map((s) => s.stepId)).toEqual(['again']);
      await expect(
        getStore().saveJobProgress([
          { jobId: jobs[0].id, patch: { status: 'failed' } },
          { jobId: 'job_gone', steps: [step('job_gone', 0)] },
        ]),
      ).rejects.toThrow();
      expect((await getStore().getJob(jobs[0].id))?.status).toBe('running');
    });

    test('resumeJob delivers the call once, only to a suspended job with the right token', async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [1] });
      const id = jobs[0].id;
      const call = { payload: { ok: true }, headers: { 'x-a': '1' } };
      expect(await getStore().resumeJob({ jobId: id, tokenHash: 'h1', resume: call })).toBeUndefined();
      await startJob(id, at(1));
      await getStore().saveJobProgress([
        {
          jobId: id,
          patch: { status: 'suspended', attempts: 1, runAt: '2999-01-01T00:00:00.000Z' },
          steps: [{ ...step(id, 0), status: 'suspended', output: null }],
          wait: { seq: 0, tokenHash: 'h1' },
        },
      ]);
      expect(await getStore().resumeJob({ jobId: id, tokenHash: 'wrong', resume: call })).toBeUndefined();
      const resumed = await getStore().resumeJob({ jobId: id, tokenHash: 'h1', resume: call });
      expect(resumed).toMatchObject({ id, status: 'suspended' });
      expect(resumed!.runAt! < '2999-01-01T00:00:00.000Z').toBe(true);
      expect(await getStore().resumeJob({ jobId: id, tokenHash: 'h1', resume: call })).toBeUndefined();
      const started = await startJob(id, new Date().toISOString());
      expect(started).toMatchObject({
        kind: 'started',
        job: { attempts: 1 },
        resumed: true,
        unwritten: false,
        wait: { seq: 0, resume: call },
      });
      // A new wait replaces the old one; ending it removes it.
      await getStore().saveJobProgress([
        { jobId: id, patch: { status: 'suspended' }, wait: { seq: 0, tokenHash: 'h2' } },
      ]);
      expect(await getStore().resumeJob({ jobId: id, tokenHash: 'h2', resume: call })).toBeDefined();
      await getStore().saveJobProgress([{ jobId: id, patch: { status: 'suspended' }, wait: null }]);
      expect(await getStore().resumeJob({ jobId: id, tokenHash: 'h2', resume: call })).toBeUndefined();
    });

    test('deleteFinishedJobs removes jobs created and finished before the cut-off, with their steps', async () => {
      const r = await getStore().insertRecipe(recipe());
      const { jobs } = await getStore().createJobs({ recipeId: r.id, events: [1, 2, 3, 4, 5] });
      // Times after the jobs were created: only the finish times differ.
      const at = (s: number) => new Date(Date.now() + 60_000 + s * 1000).toISOString();
      await getStore().saveJobProgress([
        { jobId: jobs[0].id, patch: { status: 'succeeded', finishedAt: at(1) }, steps: [step(jobs[0].id, 0)] },
        { jobId: jobs[1].id, patch: { status: 'failed', finishedAt: at(2) } },
        { jobId: jobs[2].id, patch: { status: 'succeeded', finishedAt: at(30) } },
        { jobId: jobs[3].id, patch: { status: 'suspended' }, wait: { seq: 0, tokenHash: 'h' } },
      ]);
      expect(await getStore().deleteFinishedJobs({ before: at(10), limit: 1 })).toBe(1);
      expect(await getStore().getJob(jobs[0].id)).toBeUndefined();
      expect(await getStore().deleteFinishedJobs({ before: at(10), limit: 100 })).toBe(1);
      expect(await getStore().deleteFinishedJobs({ before: at(10), limit: 100 })).toBe(0);
      const left = (await getStore().listJobs({ limit: 10 })).items.map((j) => j.id);
      expect(left.sort()).toEqual([jobs[2].id, jobs[3].id, jobs[4].id].sort());
      // Deleting the recipe takes the waits along.
      expect(await getStore().deleteRecipe(r.id)).toBe(true);
    });
  });
}
