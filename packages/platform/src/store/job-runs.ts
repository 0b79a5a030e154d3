/**
 * Jobs as the engine sees them: claimed in batches, their progress written in group commits,
 * resumed by a call, deleted when old.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { firstIdAt } from '../ids.js';
import { IN_CHUNK, INSERT_CHUNK, upsertJobSteps, upsertJobWait } from './dialect.js';
import { deleteJobs, FINISHED, jobSet, readRunRecords, toJob, toStepRow, UNFINISHED } from './job-rows.js';
import type { JobProgress, JobRecord, JobStart, ResumeCall, UnfinishedJob } from './job-types.js';
import type { Database, JobStepTable, JobTable } from './schema.js';
import { checkLimit, chunks, now, toJson } from './sql.js';

export interface JobRunRepository {
  /** Jobs `pending`, `running` or `suspended`, oldest first: what the queue recovers on start. */
  unfinishedJobs(): Promise<UnfinishedJob[]>;
  /**
   * Claims jobs to run them, in one transaction; one result per id, in order. A finished or
   * missing job is `gone`; a pending or suspended one whose `runAt` is after `at` is `notDue`;
   * otherwise it runs now: `running`, `attempts` + 1 unless it was suspended, `startedAt` kept
   * or set to `at`, `runAt` cleared — returned with its step records and wait.
   *
   * Suspended and running jobs are marked so in the transaction (a resume call races with the
   * claim of a suspended job). A pending job is only read (`unwritten`): its running state
   * goes with the engine's first write, one write less per job; a crash before that write
   * leaves it pending, to be run again.
   */
  startJobs(ids: readonly string[], at: string): Promise<JobStart[]>;
  /**
   * The engine's writes for several jobs in one transaction (group commit). All or nothing: a
   * step of a job that no longer exists fails the whole call.
   */
  saveJobProgress(writes: readonly JobProgress[]): Promise<void>;
  /**
   * Delivers the call that resumes a job waiting in `waitForResume`: only when the job is
   * `suspended`, its wait's token hash matches and it was not resumed before. Sets `runAt` to
   * now and returns the job; otherwise undefined (nothing changes).
   */
  resumeJob(input: { jobId: string; tokenHash: string; resume: ResumeCall }): Promise<JobRecord | undefined>;
  /**
   * Deletes up to `limit` finished jobs (`succeeded`, `failed`, `stopped`) that were created
   * and finished before `before`, oldest first, with their steps and waits. Returns how many.
   */
  deleteFinishedJobs(input: { before: string; limit: number }): Promise<number>;
}

export class KyselyJobRuns implements JobRunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async unfinishedJobs(): Promise<UnfinishedJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'recipe_id', 'status', 'run_at'])
      .where('status', 'in', UNFINISHED)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, recipeId: r.recipe_id, status: r.status, runAt: r.run_at }));
  }

  async startJobs(ids: readonly string[], at: string): Promise<JobStart[]> {
    if (ids.length === 0) return [];
    return this.db.transaction().execute(async (trx): Promise<JobStart[]> => {
      const rows = new Map<string, Selectable<JobTable>>();
      for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
        for (const row of await trx.selectFrom('jobs').selectAll().where('id', 'in', part).execute()) {
          rows.set(row.id, row);
        }
      }
      const results = new Map<string, JobStart>();
      const due: Selectable<JobTable>[] = [];
      for (const row of rows.values()) {
        if (!UNFINISHED.includes(row.status)) continue;
        if (row.status !== 'running' && row.run_at !== null && row.run_at > at) {
          results.set(row.id, { kind: 'notDue', runAt: row.run_at });
        } else due.push(row);
      }
      // Suspended and running jobs are marked in one statement; pending ones are left to the
      // caller's first write. A suspended job goes on with the same attempt; a job found
      // `running` was cut short by a crash and starts a new one.
      for (const part of chunks(
        due.filter((r) => r.status !== 'pending').map((r) => r.id),
        IN_CHUNK,
      )) {
        await trx
          .updateTable('jobs')
          .set((eb) => ({
            status: 'running',
            attempts: eb
              .case()
              .when('status', '=', 'suspended')
              .then(eb.ref('attempts'))
              .else(eb('attempts', '+', 1))
              .end(),
            started_at: eb.fn.coalesce('started_at', eb.val(at)),
            run_at: null,
            updated_at: at,
          }))
          .where('id', 'in', part)
          .execute();
      }
      // Jobs never started have no steps and no wait: those reads are only for the others.
      const others = due.filter((r) => !(r.status === 'pending' && r.attempts === 0)).map((r) => r.id);
      const { steps, waits } = await readRunRecords(trx, others, IN_CHUNK);
      for (const row of due) {
        const started = {
          ...row,
          status: 'running' as const,
          attempts: row.status === 'suspended' ? row.attempts : row.attempts + 1,
          started_at: row.started_at ?? at,
          run_at: null,
          updated_at: at,
        };
        results.set(row.id, {
          kind: 'started',
          job: toJob(started),
          resumed: row.status === 'suspended',
          unwritten: row.status === 'pending',
          steps: steps.get(row.id) ?? [],
          wait: waits.get(row.id) ?? null,
        });
      }
      return ids.map((id) => results.get(id) ?? { kind: 'gone' });
    });
  }

  async saveJobProgress(writes: readonly JobProgress[]): Promise<void> {
    if (writes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const live = await fenced(trx, writes);
      const at = now();
      const stepRows: Insertable<JobStepTable>[] = [];
      // Jobs that end the same way in the same instant share one UPDATE.
      const patches = new Map<string, { set: ReturnType<typeof jobSet>; ids: string[] }>();
      for (const write of live) {
        if (write.patch) {
          const set = jobSet(write.patch, at);
          const key = JSON.stringify(set);
          const group = patches.get(key);
          if (group) group.ids.push(write.jobId);
          else patches.set(key, { set, ids: [write.jobId] });
        }
        for (const step of write.steps ?? []) stepRows.push(toStepRow(step, true));
        if (write.wait === null) {
          await trx.deleteFrom('job_waits').where('job_id', '=', write.jobId).execute();
        } else if (write.wait) {
          const { seq, tokenHash } = write.wait;
          await upsertJobWait(trx, { job_id: write.jobId, seq, token_hash: tokenHash, resume: null, created_at: at });
        }
      }
      for (const { set, ids } of patches.values()) {
        for (const part of chunks(ids, IN_CHUNK)) {
          await trx.updateTable('jobs').set(set).where('id', 'in', part).execute();
        }
      }
      for (const part of chunks(stepRows, INSERT_CHUNK)) await upsertJobSteps(trx, part);
    });
  }

  async resumeJob(input: { jobId: string; tokenHash: string; resume: ResumeCall }): Promise<JobRecord | undefined> {
    const resume = toJson(input.resume);
    return this.db.transaction().execute(async (trx) => {
      const wait = await trx.selectFrom('job_waits').selectAll().where('job_id', '=', input.jobId).executeTakeFirst();
      if (!wait || wait.token_hash !== input.tokenHash || wait.resume !== null) return undefined;
      const row = await trx.selectFrom('jobs').selectAll().where('id', '=', input.jobId).executeTakeFirst();
      if (row?.status !== 'suspended') return undefined;
      const at = now();
      await trx.updateTable('job_waits').set({ resume }).where('job_id', '=', input.jobId).execute();
      await trx.updateTable('jobs').set({ run_at: at, updated_at: at }).where('id', '=', input.jobId).execute();
      return toJob({ ...row, run_at: at, updated_at: at });
    });
  }

  async deleteFinishedJobs(input: { before: string; limit: number }): Promise<number> {
    const limit = checkLimit(input.limit);
    return this.db.transaction().execute(async (trx) => {
      // Ids sort by creation time, so the (status, id) index finds the candidates: jobs created
      // before the cut-off, and finished before it too.
      const createdBefore = firstIdAt('job', Date.parse(input.before));
      const rows = await trx
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', FINISHED)
        .where('id', '<', createdBefore)
        .where('finished_at', '<', input.before)
        .orderBy('id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      await deleteJobs(trx, { ids });
      return ids.length;
    });
  }
}

/**
 * The writes whose job this process still holds (`leaseOwner`), rows locked until the commit;
 * writes without a lease owner all pass. Only the queue on PostgreSQL sets owners (FOR UPDATE).
 */
async function fenced(trx: Kysely<Database>, writes: readonly JobProgress[]): Promise<readonly JobProgress[]> {
  const owners = new Map<string, string[]>();
  for (const write of writes) {
    if (write.leaseOwner === undefined) continue;
    const ids = owners.get(write.leaseOwner);
    if (ids) ids.push(write.jobId);
    else owners.set(write.leaseOwner, [write.jobId]);
  }
  if (owners.size === 0) return writes;
  const held = new Set<string>();
  for (const [owner, ids] of owners) {
    for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
      const rows = await trx
        .selectFrom('jobs')
        .select('id')
        .where('id', 'in', part)
        .where('lease_owner', '=', owner)
        .forUpdate()
        .execute();
      for (const row of rows) held.add(`${owner}\n${row.id}`);
    }
  }
  return writes.filter((w) => w.leaseOwner === undefined || held.has(`${w.leaseOwner}\n${w.jobId}`));
}
