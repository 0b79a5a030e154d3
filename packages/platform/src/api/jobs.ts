/**
 * Jobs through the API: lists (newest first, filtered by recipe and status), one job with its
 * steps, and re-runs of finished jobs.
 */
import { JOB_STATUSES } from '@weft/sdk/model';
import type { FastifyInstance } from 'fastify';
import { rerunJob } from '../jobs/rerun.js';
import type { ServerContext } from '../runtime/context.js';
import type { JobQuery, JobRecord, JobStatus, JobStepRecord, JobWithSteps } from '../store/store.js';
import { invalid, isObject, onlyKeys, pageQuery } from './body.js';
import { ApiError } from './errors.js';

export { JOB_STATUSES };

export function jobView(job: JobRecord) {
  return {
    id: job.id,
    recipeId: job.recipeId,
    status: job.status,
    trigger: job.trigger,
    error: job.error,
    attempts: job.attempts,
    rerunOf: job.rerunOf,
    /** A pending or suspended job's next run (a retry's back-off, a multistep action's wait). */
    runAt: job.runAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

function stepView(step: JobStepRecord) {
  return {
    id: step.stepId,
    seq: step.seq,
    status: step.status,
    input: step.input,
    output: step.output,
    error: step.error,
    attempts: step.attempts,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
  };
}

export function jobDetail(job: JobWithSteps) {
  return { ...jobView(job), steps: job.steps.map(stepView) };
}

/** `?recipeId=&status=&limit=&cursor=`. */
export function jobQuery(query: unknown): JobQuery {
  const q = isObject(query) ? query : {};
  onlyKeys(q, ['recipeId', 'status', 'limit', 'cursor']);
  const result: JobQuery = pageQuery(q);
  if (q.recipeId !== undefined && q.recipeId !== '') {
    if (typeof q.recipeId !== 'string') throw invalid('recipeId', 'give one recipe id');
    result.recipeId = q.recipeId;
  }
  if (q.status !== undefined && q.status !== '') {
    if (typeof q.status !== 'string' || !JOB_STATUSES.includes(q.status as JobStatus)) {
      throw invalid('status', `must be one of ${JOB_STATUSES.map((s) => `"${s}"`).join(', ')}`);
    }
    result.status = q.status as JobStatus;
  }
  return result;
}

export function registerJobRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;
  type ById = { Params: { id: string } };

  app.get('/api/jobs', async (request) => {
    const query = jobQuery(request.query);
    if (query.recipeId && !(await store.getRecipe(query.recipeId))) {
      throw new ApiError(404, 'RECIPE_NOT_FOUND', `No recipe with id "${query.recipeId}"`, 'recipeId');
    }
    const page = await store.listJobs(query);
    return { items: page.items.map(jobView), nextCursor: page.nextCursor };
  });

  app.get<ById>('/api/jobs/:id', async (request) => {
    const job = await store.getJob(request.params.id);
    if (!job) throw new ApiError(404, 'JOB_NOT_FOUND', `No job with id "${request.params.id}"`, 'id');
    return jobDetail(job);
  });

  app.post<ById>('/api/jobs/:id/rerun', async (request, reply) => {
    const created = await rerunJob(context, request.params.id);
    reply.status(201);
    return jobDetail({ ...created, steps: [] });
  });
}
