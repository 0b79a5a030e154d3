/**
 * The trigger state of a recipe: the poll's closure, the count of empty polls, the last poll
 * error and the seen signatures (written with the jobs, see `events.ts`).
 */
import { type Kysely, PostgresAdapter, type Selectable } from 'kysely';
import { StoreError } from './common.js';
import { upsertTriggerState } from './dialect.js';
import type { EventsCommitted, EventWriter, NewEvents } from './events.js';
import type { Database, TriggerStateTable } from './schema.js';
import { fromJson, now, toJson } from './sql.js';

/** Why the last poll of a recipe failed (kept until a poll succeeds). */
export interface PollError {
  code: string;
  message: string;
  at: string;
}

export interface PollCommit extends NewEvents {
  /** The poll's `nextPoll`: stored as the new closure; undefined or null keeps the previous one. */
  closure?: unknown;
  /**
   * The trigger state's `updatedAt` the poll started from (null when there was none). When
   * given, the commit is refused (`POLL_SUPERSEDED`, nothing written) if the state changed
   * since: another process polled meanwhile (two schedulers overlapping across a handover).
   */
  stateVersion?: string | null;
}

export interface PollCommitted extends EventsCommitted {
  /** Consecutive polls without a new job, this one included (0 when it created jobs). */
  emptyPolls: number;
  /** The trigger state's new `updatedAt` (the next poll's `stateVersion`). */
  stateVersion: string;
}

export interface TriggerState {
  recipeId: string;
  /** The stored closure; undefined before the first poll that returned one. */
  closure: unknown;
  emptyPolls: number;
  updatedAt: string;
  /** The last poll's failure; null once a poll succeeds. */
  lastPollError: PollError | null;
}

export interface TriggerStateRepository {
  /** `createJobs` plus the new closure and the empty-poll count, in the same transaction. */
  commitPoll(input: PollCommit): Promise<PollCommitted>;
  /** Keeps the closure and counters; `commitPoll` clears the error. */
  recordPollError(recipeId: string, error: PollError): Promise<void>;
  getTriggerState(recipeId: string): Promise<TriggerState | undefined>;
  /** Forgets the closure, the empty-poll count and the seen signatures (a recipe started afresh). */
  resetTriggerState(recipeId: string): Promise<void>;
}

export class KyselyTriggerState implements TriggerStateRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly events: EventWriter,
  ) {}

  async commitPoll(input: PollCommit): Promise<PollCommitted> {
    return this.db.transaction().execute(async (trx) => {
      if (input.stateVersion !== undefined) await checkStateVersion(trx, input.recipeId, input.stateVersion);
      const [committed] = await this.events.write(trx, [input]);
      const previous = await trx
        .selectFrom('trigger_state')
        .select(['closure', 'empty_polls'])
        .where('recipe_id', '=', input.recipeId)
        .executeTakeFirst();
      const closure =
        input.closure === undefined || input.closure === null ? (previous?.closure ?? null) : toJson(input.closure);
      const emptyPolls = committed.jobs.length > 0 ? 0 : (previous?.empty_polls ?? 0) + 1;
      const at = now();
      // A poll that commits clears the last poll error.
      const state = { closure, empty_polls: emptyPolls, updated_at: at, last_poll_error: null };
      await upsertTriggerState(trx, { recipe_id: input.recipeId, ...state }, state);
      return { ...committed, emptyPolls, stateVersion: at };
    });
  }

  async recordPollError(recipeId: string, error: PollError): Promise<void> {
    const at = now();
    const text = toJson({ code: error.code, message: error.message, at: error.at });
    await upsertTriggerState(
      this.db,
      { recipe_id: recipeId, closure: null, empty_polls: 0, updated_at: at, last_poll_error: text },
      { last_poll_error: text, updated_at: at },
    );
  }

  async getTriggerState(recipeId: string): Promise<TriggerState | undefined> {
    const row = await this.db
      .selectFrom('trigger_state')
      .selectAll()
      .where('recipe_id', '=', recipeId)
      .executeTakeFirst();
    return row && toTriggerState(row);
  }

  async resetTriggerState(recipeId: string): Promise<void> {
    await this.db.transaction().execute((trx) => forgetTriggerState(trx, recipeId));
  }
}

/**
 * Locks the recipe's trigger state row (creating an empty one when there is none, so two first
 * polls conflict too) and refuses the commit when its `updated_at` is not `expected`.
 */
async function checkStateVersion(trx: Kysely<Database>, recipeId: string, expected: string | null): Promise<void> {
  await trx
    .insertInto('trigger_state')
    .values({ recipe_id: recipeId, closure: null, empty_polls: 0, updated_at: '', last_poll_error: null })
    .onConflict((oc) => oc.column('recipe_id').doNothing())
    .execute();
  const postgres = trx.getExecutor().adapter instanceof PostgresAdapter;
  const row = await trx
    .selectFrom('trigger_state')
    .select('updated_at')
    .where('recipe_id', '=', recipeId)
    .$if(postgres, (q) => q.forUpdate())
    .executeTakeFirst();
  const current = row?.updated_at || null;
  if (current !== expected) {
    throw new StoreError(
      'POLL_SUPERSEDED',
      'The trigger state changed since this poll started (another process polled): nothing was committed',
    );
  }
}

/** Deletes a recipe's trigger state and seen signatures (inside the caller's transaction). */
export async function forgetTriggerState(db: Kysely<Database>, recipeId: string): Promise<void> {
  await db.deleteFrom('trigger_state').where('recipe_id', '=', recipeId).execute();
  await db.deleteFrom('seen_signatures').where('recipe_id', '=', recipeId).execute();
}

function toTriggerState(row: Selectable<TriggerStateTable>): TriggerState {
  return {
    recipeId: row.recipe_id,
    closure: row.closure === null ? undefined : fromJson(row.closure),
    emptyPolls: row.empty_polls,
    updatedAt: row.updated_at,
    lastPollError: (fromJson(row.last_poll_error ?? null) as PollError | null) ?? null,
  };
}
