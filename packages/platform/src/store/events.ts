/**
 * Trigger events into jobs: the outbox write. Every way an event becomes a job (a webhook
 * request, a group commit of many, a poll, a re-run) goes through `EventWriter.write`, inside
 * the caller's transaction, so the jobs are committed with the seen signatures (and, for a
 * poll, the new closure) or not at all. This is the one dedup path.
 */
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import { newId } from '../ids.js';
import { StoreError } from './common.js';
import { IN_CHUNK, INSERT_CHUNK } from './dialect.js';
import { toJob } from './job-rows.js';
import type { JobRecord } from './job-types.js';
import type { Database, JobTable, SeenSignatureTable } from './schema.js';
import { chunks, now, toJson } from './sql.js';

export interface NewEvents {
  recipeId: string;
  /** Trigger events, in order: each becomes one job unless its signature was seen. */
  events: readonly unknown[];
  /** `signatures[i]` is the dedup signature of `events[i]`; null or missing: no deduplication. */
  signatures?: ReadonlyArray<string | null | undefined>;
  /** For re-runs: the job whose trigger event this is. */
  rerunOf?: string;
}

export interface EventsCommitted {
  /** The jobs created, in the order of the events (all `pending`). */
  jobs: JobRecord[];
  /** Events skipped because their signature was seen before (or earlier in the same batch). */
  duplicates: number;
}

const JOB_COLUMNS = [
  'id',
  'recipe_id',
  'status',
  'trigger',
  'error',
  'attempts',
  'run_at',
  'rerun_of',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
] as const satisfies readonly (keyof JobTable)[];

/** Writes trigger events as jobs; one per store, holding its compiled job INSERTs. */
export class EventWriter {
  /** Compiled multi-row job INSERTs by row count (the dialect wrote the SQL). */
  private readonly jobInserts = new Map<number, CompiledQuery>();

  /**
   * Creates one pending job per event not seen before and records the signatures, for each
   * input in order (an event repeated in a later input of the same recipe is a duplicate).
   * An unknown recipe fails with `StoreError('NOT_FOUND')`; run it in a transaction so that
   * nothing is written then.
   */
  async write(trx: Kysely<Database>, inputs: readonly NewEvents[]): Promise<EventsCommitted[]> {
    await checkRecipes(trx, inputs);
    const seen = await seenSignatures(trx, inputs);
    const at = now();
    const jobs: Selectable<JobTable>[] = [];
    const newSignatures: Selectable<SeenSignatureTable>[] = [];
    const results: EventsCommitted[] = [];
    for (const input of inputs) {
      const signatures = input.signatures ?? [];
      const seenHere = seen.get(input.recipeId);
      const created: Selectable<JobTable>[] = [];
      let duplicates = 0;
      input.events.forEach((event, i) => {
        const signature = signatures[i];
        if (typeof signature === 'string' && seenHere) {
          if (seenHere.has(signature)) {
            duplicates++;
            return;
          }
          seenHere.add(signature);
          newSignatures.push({ recipe_id: input.recipeId, signature, created_at: at });
        }
        created.push(pendingJobRow(input, event, at));
      });
      jobs.push(...created);
      results.push({ jobs: created.map(toJob), duplicates });
    }
    for (const part of chunks(newSignatures, INSERT_CHUNK)) {
      await trx.insertInto('seen_signatures').values(part).execute();
    }
    for (const part of chunks(jobs, INSERT_CHUNK)) await this.insertJobs(trx, part);
    return results;
  }

  /**
   * Inserts job rows with an INSERT compiled once per row count: building and compiling a
   * query of a few hundred values costs more than running it, on the webhook path's every commit.
   */
  private async insertJobs(trx: Kysely<Database>, rows: readonly Selectable<JobTable>[]): Promise<void> {
    let query = this.jobInserts.get(rows.length);
    if (!query) {
      query = trx
        .insertInto('jobs')
        .values(rows.map((row) => Object.fromEntries(JOB_COLUMNS.map((c) => [c, row[c]])) as Selectable<JobTable>))
        .compile();
      this.jobInserts.set(rows.length, query);
    }
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of JOB_COLUMNS) parameters.push(row[column]);
    await trx.executeQuery({ ...query, parameters });
  }
}

async function checkRecipes(trx: Kysely<Database>, inputs: readonly NewEvents[]): Promise<void> {
  const recipeIds = [...new Set(inputs.map((i) => i.recipeId))];
  const found = new Set<string>();
  for (const part of chunks(recipeIds, IN_CHUNK)) {
    const rows = await trx.selectFrom('recipes').select('id').where('id', 'in', part).execute();
    for (const row of rows) found.add(row.id);
  }
  const missing = recipeIds.find((id) => !found.has(id));
  if (missing !== undefined) throw new StoreError('NOT_FOUND', `No recipe with id "${missing}"`);
}

/**
 * The given signatures already seen, per recipe: one query per recipe (and chunk). Only
 * recipes with signatures given have an entry.
 */
async function seenSignatures(trx: Kysely<Database>, inputs: readonly NewEvents[]) {
  const given = new Map<string, Set<string>>();
  for (const input of inputs) {
    for (const signature of input.signatures ?? []) {
      if (typeof signature !== 'string') continue;
      let set = given.get(input.recipeId);
      if (!set) {
        set = new Set();
        given.set(input.recipeId, set);
      }
      set.add(signature);
    }
  }
  const seen = new Map<string, Set<string>>();
  for (const [recipeId, signatures] of given) {
    const set = new Set<string>();
    for (const part of chunks([...signatures], IN_CHUNK)) {
      const rows = await trx
        .selectFrom('seen_signatures')
        .select('signature')
        .where('recipe_id', '=', recipeId)
        .where('signature', 'in', part)
        .execute();
      for (const row of rows) set.add(row.signature);
    }
    seen.set(recipeId, set);
  }
  return seen;
}

/** The row of a new job for one trigger event. */
function pendingJobRow(input: NewEvents, event: unknown, at: string): Selectable<JobTable> {
  return {
    id: newId('job'),
    recipe_id: input.recipeId,
    status: 'pending',
    trigger: toJson(event),
    error: null,
    attempts: 0,
    run_at: null,
    rerun_of: input.rerunOf ?? null,
    created_at: at,
    updated_at: at,
    started_at: null,
    finished_at: null,
    lease_owner: null,
    lease_until: null,
  };
}
