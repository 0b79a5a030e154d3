import { describe, expect, test } from 'vitest';
import { ApiError, apiErrorOf } from '../api/errors.js';
import type { DomainError } from '../errors.js';
import { Runtime } from '../runtime/runtime.js';
import { type JobWithSteps, type Store, StoreError } from '../store/store.js';
import { rerunJob } from './rerun.js';

/** The error as the API answers it (the domain's errors carry no status). */
const answered = (error: DomainError) => Promise.reject(apiErrorOf(error));

const job: JobWithSteps = {
  id: 'job_1',
  recipeId: 'rcp_gone',
  status: 'failed',
  trigger: { id: 1 },
  error: null,
  attempts: 1,
  runAt: null,
  rerunOf: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  steps: [],
};

describe('rerunJob', () => {
  test('a job whose recipe no longer exists is a 409 that says so, and nothing is announced', async () => {
    const runtime = new Runtime();
    const heard: unknown[] = [];
    runtime.onJobsCommitted((jobs) => heard.push(...jobs));
    const store = {
      getJob: async () => job,
      getRecipe: async () => undefined,
    } as unknown as Store;
    const error = await rerunJob({ store, runtime }, 'job_1')
      .catch(answered)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'RECIPE_NOT_FOUND' });
    expect(error.message).toMatch(/rcp_gone.*no longer exists/);
    expect(heard).toEqual([]);
  });

  test('a recipe deleted between the check and the insert is the same 409', async () => {
    const store = {
      getJob: async () => job,
      getRecipe: async () => ({ id: 'rcp_gone' }),
      createJobs: async () => {
        throw new StoreError('NOT_FOUND', 'No recipe');
      },
    } as unknown as Store;
    await expect(rerunJob({ store, runtime: new Runtime() }, 'job_1').catch(answered)).rejects.toMatchObject({
      status: 409,
      code: 'RECIPE_NOT_FOUND',
    });
  });
});
