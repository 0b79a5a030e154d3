/**
 * Jobs through the API: lists (newest first, filtered by recipe and status), one job with its
 * steps, and re-runs of finished jobs.
 */
import { JOB_STATUSES, type JobDetailView, type JobStepView, type JobView } from '@weft/sdk/model';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { invalid, isObject, pageQuery } from '../input.js';
import { rerunJob } from '../jobs/rerun.js';
import type { ServerContext } from '../runtime/context.js';
import type { JobQuery, JobRecord, JobStatus, JobStepRecord, JobWithSteps } from '../store/store.js';
import {
  answer,
  failure,
  invalid as invalidAnswer,
  list,
  pageProperties,
  params,
  ref,
  unauthorized,
} from './schemas.js';

export { JOB_STATUSES };

export function jobView(job: JobRecord): JobView {
  return {
    id: job.id,
    recipeId: job.recipeId,
    status: job.status,
    trigger: job.trigger,
    error: job.error,
    attempts: job.attempts,
    rerunOf: job.rerunOf,
    runAt: job.runAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

function stepView(step: JobStepRecord): JobStepView {
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
    logs: step.logs ?? [],
  };
}

export function jobDetail(job: JobWithSteps): JobDetailView {
  return { ...jobView(job), steps: job.steps.map(stepView) };
}

/** `?recipeId=&status=&limit=&cursor=`. */
export function jobQuery(query: unknown): JobQuery {
  const q = isObject(query) ? query : {};
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

const jobNotFound = { 404: failure('JOB_NOT_FOUND') };

export async function jobRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { store } = context;
  type ById = { Params: { id: string } };

  const listSchema = {
    summary: 'List jobs, newest first',
    // The filters are checked by jobQuery (a repeated recipeId, an empty status).
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...pageProperties,
        recipeId: { description: 'One recipe id' },
        status: { description: JOB_STATUSES.map((s) => `\`${s}\``).join(', ') },
      },
    },
    response: {
      200: answer('A page of jobs', list(ref('Job'))),
      ...invalidAnswer,
      ...unauthorized,
      404: failure('No recipe with that `recipeId` (RECIPE_NOT_FOUND)'),
    },
  };
  app.get('/api/jobs', { schema: listSchema }, async (request) => {
    const query = jobQuery(request.query);
    if (query.recipeId && !(await store.getRecipe(query.recipeId))) {
      throw new NotFoundError('RECIPE_NOT_FOUND', `No recipe with id "${query.recipeId}"`, 'recipeId');
    }
    const page = await store.listJobs(query);
    return { items: page.items.map(jobView), nextCursor: page.nextCursor };
  });

  const oneSchema = {
    summary: 'One job with its steps',
    params: params('id'),
    response: { 200: answer('The job', ref('JobDetail')), ...unauthorized, ...jobNotFound },
  };
  app.get<ById>('/api/jobs/:id', { schema: oneSchema }, async (request) => {
    const job = await store.getJob(request.params.id);
    if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id "${request.params.id}"`, 'id');
    return jobDetail(job);
  });

  const rerunSchema = {
    summary: 'A new job from the same trigger event (`rerunOf` names the original)',
    params: params('id'),
    response: {
      201: answer('The new job, pending', ref('JobDetail')),
      ...unauthorized,
      ...jobNotFound,
      409: failure('The job has not finished (JOB_NOT_FINISHED), or its recipe no longer exists (RECIPE_NOT_FOUND)'),
    },
  };
  app.post<ById>('/api/jobs/:id/rerun', { schema: rerunSchema }, async (request, reply) => {
    const created = await rerunJob(context, request.params.id);
    reply.status(201);
    return jobDetail({ ...created, steps: [] });
  });
}
