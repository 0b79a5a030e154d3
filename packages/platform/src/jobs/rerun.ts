/**
 * Re-running a job: a new job from the same trigger event, for a job that has finished and whose
 * recipe still exists. The API, and through it the console and `weft jobs rerun`, go through here.
 */
import { FINISHED_JOB_STATUSES } from '@weft/sdk/model';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { type JobRecord, type JobStatus, type Store, StoreError } from '../store/store.js';

/** Statuses a job ends in: only these can be re-run. */
export const FINISHED_STATUSES: readonly JobStatus[] = FINISHED_JOB_STATUSES;

export interface RerunContext {
  store: Store;
  runtime: Runtime;
}

/** Creates the new (pending) job, then hands it to the runtime once the commit is done. */
export async function rerunJob(context: RerunContext, jobId: string): Promise<JobRecord> {
  const job = await context.store.getJob(jobId);
  if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id "${jobId}"`, 'id');
  if (!FINISHED_STATUSES.includes(job.status)) {
    throw new ConflictError(
      'JOB_NOT_FINISHED',
      `The job "${job.id}" is ${job.status}: only a finished job (succeeded, failed or stopped) can be re-run`,
      'id',
    );
  }
  const recipeGone = () =>
    new ConflictError(
      'RECIPE_NOT_FOUND',
      `The recipe "${job.recipeId}" of job "${job.id}" no longer exists: there is nothing to re-run it with`,
      'id',
    );
  if (!(await context.store.getRecipe(job.recipeId))) throw recipeGone();
  let created: JobRecord[];
  try {
    // No signatures: a re-run is never a duplicate of the event it repeats.
    ({ jobs: created } = await context.store.createJobs({
      recipeId: job.recipeId,
      events: [job.trigger],
      rerunOf: job.id,
    }));
  } catch (error) {
    // Deleted between the check and the insert.
    if (error instanceof StoreError && error.code === 'NOT_FOUND') throw recipeGone();
    throw error;
  }
  // The outbox: the queue hears of the job only after the transaction has committed.
  context.runtime.jobsCommitted(created);
  return created[0];
}
