/**
 * `weft db copy`: every row of one store into another, verbatim — connector versions (with their
 * ids), connections still sealed, recipes (ids and webhook secrets, so webhook URLs stay),
 * trigger state and seen signatures, subscriptions, jobs with their steps and waits. Tables go in
 * the order their references need, each read by its primary key in pages, and the whole copy is
 * one transaction on the target: it lands whole or not at all. The target must be empty.
 */
import type { Kysely } from 'kysely';
import { INSERT_CHUNK, resetGeneratedIds } from './dialect.js';
import type { Database } from './schema.js';

/** Each table, in the order its references need, with its primary key. */
const TABLES: { [T in keyof Database]?: readonly (keyof Database[T] & string)[] } = {
  connector_versions: ['id'],
  connections: ['name'],
  recipes: ['id'],
  trigger_state: ['recipe_id'],
  seen_signatures: ['recipe_id', 'signature'],
  webhook_subscriptions: ['recipe_id'],
  jobs: ['id'],
  job_steps: ['job_id', 'seq'],
  job_waits: ['job_id'],
  agents: ['name'],
  mcp_tokens: ['name'],
};

const PAGE = 1000;

export type CopyCounts = Partial<Record<keyof Database, number>>;

/** Rows of `table` after `after` (its key values), in key order. */
async function pageOf(
  db: Kysely<Database>,
  table: keyof Database,
  key: readonly string[],
  after: unknown[] | undefined,
): Promise<Record<string, unknown>[]> {
  // The tables are walked generically: the rows go back in as they came out.
  const loose = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  let query = loose.selectFrom(table).selectAll();
  if (after) {
    query =
      key.length === 1
        ? query.where(key[0], '>', after[0])
        : query.where(({ eb, refTuple, tuple }) => eb(refTuple(key[0], key[1]), '>', tuple(after[0], after[1])));
  }
  for (const column of key) query = query.orderBy(column);
  return query.limit(PAGE).execute();
}

/** Whether the store holds anything a copy would clash with. */
export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  for (const table of ['connector_versions', 'connections', 'recipes'] as const) {
    const row = await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirst();
    if (Number(row?.n ?? 0) !== 0) return false;
  }
  return true;
}

export async function copyStore(from: Kysely<Database>, to: Kysely<Database>): Promise<CopyCounts> {
  const counts: CopyCounts = {};
  await to.transaction().execute(async (trx) => {
    const target = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const [table, key] of Object.entries(TABLES) as [keyof Database, string[]][]) {
      let after: unknown[] | undefined;
      let count = 0;
      for (;;) {
        const rows = await pageOf(from, table, key, after);
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await target
            .insertInto(table)
            .values(rows.slice(i, i + INSERT_CHUNK))
            .execute();
        }
        count += rows.length;
        if (rows.length < PAGE) break;
        const last = rows[rows.length - 1];
        after = key.map((column) => last[column]);
      }
      counts[table] = count;
    }
    await resetGeneratedIds(trx);
  });
  return counts;
}
