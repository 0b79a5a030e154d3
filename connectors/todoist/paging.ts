/**
 * Todoist's list endpoints answer one page, `{ results, next_cursor }`; the next page is asked
 * for with `cursor=<next_cursor>` until `next_cursor` is null.
 */
import type { ConnectorContext } from '@weft/sdk';

/** At most this many pages are read for one list (200 records each): 10,000 records. */
const MAX_PAGES = 50;

/** Every record of a cursor-paged list. */
export async function paginate<T>(
  ctx: ConnectorContext,
  path: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ctx.get(path, { ...params, limit: 200, cursor });
    all.push(...((answer?.results ?? []) as T[]));
    if (typeof answer?.next_cursor !== 'string' || answer.next_cursor === '') return all;
    cursor = answer.next_cursor;
  }
  ctx.error(`Todoist's ${path} list has more than ${MAX_PAGES * 200} records: narrow the search (choose a project)`);
}

/** A pick list of every record of a list, as `[label, value]` pairs. */
export async function pickListOf(
  ctx: ConnectorContext,
  path: string,
  pair: (record: Record<string, any>) => [string, string],
  params: Record<string, unknown> = {},
): Promise<[string, string][]> {
  return (await paginate<Record<string, any>>(ctx, path, params)).map(pair);
}
