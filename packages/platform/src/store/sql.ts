/**
 * Helpers of the shared queries: JSON columns, text times, cursors and pages. Nothing here
 * depends on the SQL dialect.
 */
import { type Page, type PageRequest, StoreError } from './common.js';

export const now = () => new Date().toISOString();

export function toJson(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value);
  if (text === undefined) throw new TypeError('value cannot be stored as JSON');
  return text;
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** JSON of a value that may be missing: undefined is stored as NULL. */
export const toJsonOrNull = (value: unknown): string | null => (value === undefined ? null : toJson(value));

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed.k === 'string') return parsed.k;
  } catch {}
  throw new StoreError('INVALID_CURSOR', 'The cursor is not one this server handed out: start again without it');
}

/** A page from `limit + 1` rows: the extra row says there is a next page. */
export function page<T>(rows: T[], limit: number, key: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(key(items[items.length - 1])) };
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new RangeError('limit must be an integer from 1 to 1000');
  return limit;
}

/**
 * A keyset page: `rows(take, cursor)` reads up to `take` rows (the limit and one more) after the
 * key the request's cursor holds (undefined on the first page), in key order.
 */
export async function keysetPage<R, T>(
  request: PageRequest,
  rows: (take: number, cursor: string | undefined) => Promise<R[]>,
  toItem: (row: R) => T,
  key: (item: T) => string,
): Promise<Page<T>> {
  const limit = checkLimit(request.limit);
  const cursor = decodeCursor(request.cursor);
  return page((await rows(limit + 1, cursor)).map(toItem), limit, key);
}

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Rows an UPDATE or DELETE touched (drivers give a bigint). */
export const affected = (count: bigint | number | undefined): number => Number(count ?? 0);

/**
 * True when a write failed on a unique key (PostgreSQL `23505`, SQLite `SQLITE_CONSTRAINT_*`):
 * two processes sharing a database both found a key free and both inserted it.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Inserts `write`, turning a unique-key clash with a concurrent writer into `conflict`. */
export async function insertOrConflict<T>(write: () => Promise<T>, conflict: () => Error): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw isUniqueViolation(error) ? conflict() : error;
  }
}

/**
 * True when PostgreSQL refused text holding U+0000 (NUL): `22021` for a NUL in a text value
 * (a name looked up), `22P05` for an escaped NUL cast to `jsonb`. SQLite takes both.
 */
export function isNulRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '22021' || code === '22P05';
}
