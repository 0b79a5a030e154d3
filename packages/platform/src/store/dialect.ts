/**
 * What may differ between SQL dialects, in one place: the size of parameter lists and the
 * upserts. The other queries of the store are plain SELECT, INSERT, UPDATE and DELETE built
 * with Kysely, without RETURNING, so every dialect Kysely compiles them for can share them.
 *
 * The upserts are written with `ON CONFLICT … DO UPDATE` and the `excluded` row, which SQLite
 * (3.24+) and PostgreSQL share; a dialect without them (MySQL's `ON DUPLICATE KEY`) changes
 * only this module.
 */
import { type Insertable, type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import type { Database, JobStepTable, JobWaitTable, TriggerStateTable, WebhookSubscriptionTable } from './schema.js';

/** Rows per multi-row INSERT: well below SQLite's limit of bound variables (PostgreSQL's is higher). */
export const INSERT_CHUNK = 200;
/** Values per `IN (...)` list. */
export const IN_CHUNK = 500;

type Db = Kysely<Database>;

/** Inserts the trigger state of a recipe, or sets `update` on the one there. */
export async function upsertTriggerState(
  db: Db,
  row: Selectable<TriggerStateTable>,
  update: Partial<Omit<Selectable<TriggerStateTable>, 'recipe_id'>>,
): Promise<void> {
  await db
    .insertInto('trigger_state')
    .values(row)
    .onConflict((oc) => oc.column('recipe_id').doUpdateSet(update))
    .execute();
}

/** Inserts the wait of a job, or replaces the one there. */
export async function upsertJobWait(db: Db, row: Selectable<JobWaitTable>): Promise<void> {
  const { job_id: _job, ...update } = row;
  await db
    .insertInto('job_waits')
    .values(row)
    .onConflict((oc) => oc.column('job_id').doUpdateSet(update))
    .execute();
}

/** Inserts the webhook subscription of a recipe, or sets `update` on the one there. */
export async function upsertSubscription(
  db: Db,
  row: Selectable<WebhookSubscriptionTable>,
  update: Partial<Omit<Selectable<WebhookSubscriptionTable>, 'recipe_id'>>,
): Promise<void> {
  await db
    .insertInto('webhook_subscriptions')
    .values(row)
    .onConflict((oc) => oc.column('recipe_id').doUpdateSet(update))
    .execute();
}

/**
 * Inserts step records, or replaces the ones there by `(job_id, seq)`. Rows without
 * `full_output` keep the stored one.
 */
export async function upsertJobSteps(db: Db, rows: readonly Insertable<JobStepTable>[]): Promise<void> {
  if (rows.length === 0) return;
  const withFullOutput = 'full_output' in rows[0];
  await db
    .insertInto('job_steps')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['job_id', 'seq']).doUpdateSet((eb) => ({
        step_id: eb.ref('excluded.step_id'),
        status: eb.ref('excluded.status'),
        input: eb.ref('excluded.input'),
        output: eb.ref('excluded.output'),
        error: eb.ref('excluded.error'),
        state: eb.ref('excluded.state'),
        attempts: eb.ref('excluded.attempts'),
        started_at: eb.ref('excluded.started_at'),
        finished_at: eb.ref('excluded.finished_at'),
        logs: eb.ref('excluded.logs'),
        ...(withFullOutput ? { full_output: eb.ref('excluded.full_output') } : {}),
      })),
    )
    .execute();
}

/** Whether the store runs on PostgreSQL (row locks and a pool) rather than the embedded SQLite. */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** PostgreSQL, inside a transaction: a row lock is waited for at most `ms` (then `isLockTimeout`). */
export async function limitLockWait(trx: Db, ms: number): Promise<void> {
  await sql`set local lock_timeout = ${sql.lit(`${ms}ms`)}`.execute(trx);
}

/** PostgreSQL's `lock_not_available` (55P03): a lock was not granted within the wait. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '55P03';
}

/**
 * After rows were inserted with their generated ids (a copy), the next generated id must follow
 * them: PostgreSQL's sequence is set past the largest id; SQLite's autoincrement follows by itself.
 */
export async function resetGeneratedIds(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`select setval(pg_get_serial_sequence('connector_versions', 'id'), coalesce(max(id), 0) + 1, false) from connector_versions`.execute(
    db,
  );
}
