/**
 * Rows of the jobs aggregate to records and back, and the deletes every owner of jobs shares.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { JobPatch, JobRecord, JobStepRecord, JobWait, ResumeCall, RunStepRecord } from './job-types.js';
import type { Database, JobStepTable, JobTable, JobWaitTable } from './schema.js';
import { chunks, fromJson, toJson, toJsonOrNull } from './sql.js';

export const UNFINISHED: JobRecord['status'][] = ['pending', 'running', 'suspended'];
export const FINISHED: JobRecord['status'][] = ['succeeded', 'failed', 'stopped'];

export function toJob(row: Selectable<JobTable>): JobRecord {
  return {
    id: row.id,
    recipeId: row.recipe_id,
    status: row.status,
    trigger: fromJson(row.trigger),
    error: fromJson(row.error) as JobRecord['error'],
    attempts: row.attempts,
    runAt: row.run_at,
    rerunOf: row.rerun_of,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toStep(row: Selectable<JobStepTable>): JobStepRecord {
  return {
    jobId: row.job_id,
    seq: row.seq,
    stepId: row.step_id,
    status: row.status,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error) as JobStepRecord['error'],
    state: fromJson(row.state),
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    logs: fromJson(row.logs ?? null) as JobStepRecord['logs'],
  };
}

export function toRunStep(row: Selectable<JobStepTable>): RunStepRecord {
  const step: RunStepRecord = toStep(row);
  if (row.full_output !== null && row.full_output !== undefined) step.fullOutput = fromJson(row.full_output);
  return step;
}

/** The row of a step record; `full_output` only for the engine's records (else the stored one is kept). */
export function toStepRow(step: JobStepRecord, withFullOutput: boolean): Insertable<JobStepTable> {
  const row: Insertable<JobStepTable> = {
    job_id: step.jobId,
    seq: step.seq,
    step_id: step.stepId,
    status: step.status,
    input: toJsonOrNull(step.input),
    output: toJsonOrNull(step.output),
    error: step.error ? toJson(step.error) : null,
    state: toJsonOrNull(step.state),
    attempts: step.attempts,
    started_at: step.startedAt,
    finished_at: step.finishedAt,
    logs: step.logs && step.logs.length > 0 ? toJson(step.logs) : null,
  };
  if (withFullOutput) row.full_output = toJsonOrNull((step as RunStepRecord).fullOutput);
  return row;
}

export function toWait(row: Selectable<JobWaitTable>): JobWait {
  return {
    jobId: row.job_id,
    seq: row.seq,
    tokenHash: row.token_hash,
    resume: fromJson(row.resume) as ResumeCall | null,
    createdAt: row.created_at,
  };
}

/** The columns a patch sets, `updated_at` always. */
export function jobSet(patch: JobPatch, at: string): Partial<Omit<Selectable<JobTable>, 'id'>> {
  const set: Partial<Omit<Selectable<JobTable>, 'id'>> = { updated_at: at };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.error !== undefined) set.error = patch.error === null ? null : toJson(patch.error);
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.runAt !== undefined) set.run_at = patch.runAt;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  // A job out of `running` is nobody's: its lease goes (the queue on PostgreSQL).
  if (patch.status !== undefined && patch.status !== 'running') {
    set.lease_owner = null;
    set.lease_until = null;
  }
  return set;
}

/**
 * Deletes jobs with their steps and waits, by id or by recipe. Explicit deletes rather than
 * relying on ON DELETE CASCADE being switched on.
 */
export async function deleteJobs(db: Kysely<Database>, which: { ids: string[] } | { recipeId: string }) {
  const ids = 'ids' in which ? which.ids : db.selectFrom('jobs').select('id').where('recipe_id', '=', which.recipeId);
  await db.deleteFrom('job_steps').where('job_id', 'in', ids).execute();
  await db.deleteFrom('job_waits').where('job_id', 'in', ids).execute();
  if ('ids' in which) await db.deleteFrom('jobs').where('id', 'in', which.ids).execute();
  else await db.deleteFrom('jobs').where('recipe_id', '=', which.recipeId).execute();
}

/** The step records and waits of jobs that ran before: what a claim hands the engine with each. */
export async function readRunRecords(
  db: Kysely<Database>,
  ids: readonly string[],
  chunkSize: number,
): Promise<{ steps: Map<string, RunStepRecord[]>; waits: Map<string, JobWait> }> {
  const steps = new Map<string, RunStepRecord[]>();
  const waits = new Map<string, JobWait>();
  for (const part of chunks(ids, chunkSize)) {
    const stepRows = await db
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', 'in', part)
      .orderBy('job_id')
      .orderBy('seq')
      .execute();
    for (const row of stepRows) {
      const list = steps.get(row.job_id);
      if (list) list.push(toRunStep(row));
      else steps.set(row.job_id, [toRunStep(row)]);
    }
    for (const row of await db.selectFrom('job_waits').selectAll().where('job_id', 'in', part).execute()) {
      waits.set(row.job_id, toWait(row));
    }
  }
  return { steps, waits };
}
