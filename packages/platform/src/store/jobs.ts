/**
 * Jobs as the API and the ingress see them: created from trigger events, read, listed, patched.
 * The engine's view of the same aggregate is `job-runs.ts`.
 */
import type { Kysely } from 'kysely';
import type { Page } from './common.js';
import { upsertJobSteps } from './dialect.js';
import type { EventsCommitted, EventWriter, NewEvents } from './events.js';
import { jobSet, toJob, toStep, toStepRow } from './job-rows.js';
import type { JobPatch, JobQuery, JobRecord, JobStepRecord, JobWithSteps } from './job-types.js';
import type { Database } from './schema.js';
import { affected, keysetPage, now } from './sql.js';

export interface JobRepository {
  /**
   * Creates one pending job per event not seen before, and records the signatures, in one
   * transaction (webhook ingress, re-runs). Fails with `StoreError('NOT_FOUND')` for an unknown recipe.
   */
  createJobs(input: NewEvents): Promise<EventsCommitted>;
  /**
   * Several `createJobs` in one transaction (group commit: the webhook ingress coalesces
   * concurrent requests into one write). Inputs are applied in order, so an event repeated in a
   * later input of the same recipe is a duplicate. All or nothing: an unknown recipe fails the
   * whole call with `StoreError('NOT_FOUND')` and nothing is written.
   */
  createJobsMany(inputs: readonly NewEvents[]): Promise<EventsCommitted[]>;
  getJob(id: string): Promise<JobWithSteps | undefined>;
  /** Only the job's status (a cheap check, repeated while waiting for another process). */
  getJobStatus(id: string): Promise<JobRecord['status'] | undefined>;
  /** Newest first. */
  listJobs(query: JobQuery): Promise<Page<JobRecord>>;
  updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined>;
  /** Inserts or replaces the step `(jobId, seq)`. */
  saveJobStep(step: JobStepRecord): Promise<void>;
}

export class KyselyJobs implements JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly events: EventWriter,
  ) {}

  async createJobs(input: NewEvents): Promise<EventsCommitted> {
    const [committed] = await this.db.transaction().execute((trx) => this.events.write(trx, [input]));
    return committed;
  }

  async createJobsMany(inputs: readonly NewEvents[]): Promise<EventsCommitted[]> {
    if (inputs.length === 0) return [];
    return this.db.transaction().execute((trx) => this.events.write(trx, inputs));
  }

  async getJob(id: string): Promise<JobWithSteps | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const steps = await this.db.selectFrom('job_steps').selectAll().where('job_id', '=', id).orderBy('seq').execute();
    return { ...toJob(row), steps: steps.map(toStep) };
  }

  async getJobStatus(id: string): Promise<JobRecord['status'] | undefined> {
    const row = await this.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
    return row?.status;
  }

  async listJobs(request: JobQuery): Promise<Page<JobRecord>> {
    // Newest first: the page goes on below the cursor's id.
    const rows = (take: number, before: string | undefined) => {
      let query = this.db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(take);
      if (before !== undefined) query = query.where('id', '<', before);
      if (request.recipeId) query = query.where('recipe_id', '=', request.recipeId);
      if (request.status) query = query.where('status', '=', request.status);
      return query.execute();
    };
    return keysetPage(request, rows, toJob, (j) => j.id);
  }

  async updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const result = await this.db.updateTable('jobs').set(jobSet(patch, now())).where('id', '=', id).executeTakeFirst();
    if (affected(result.numUpdatedRows) === 0) return undefined;
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async saveJobStep(step: JobStepRecord): Promise<void> {
    await upsertJobSteps(this.db, [toStepRow(step, false)]);
  }
}
