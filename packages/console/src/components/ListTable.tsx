/**
 * The list part of a list page (connections, recipes, jobs): a spinner while the first page
 * loads, an empty state, or a table of the items with one row each.
 */
import type { ReactNode } from 'react';
import { EmptyState, Loading } from './ui';

export interface ListTableProps<T> {
  list: { data?: { items: readonly T[] }; loading: boolean };
  /** Names the table for screen readers. */
  caption: string;
  /** Column headings; each row starts with a row header under the first. */
  columns: readonly string[];
  /** Adds a last column for the row's buttons, headed for screen readers only. */
  actions?: boolean;
  /** A table that reloads in place should not announce each reload. */
  ariaLive?: 'off';
  emptyTitle: string;
  /** What the empty state says to do next. */
  empty: ReactNode;
  /** One `<tr>` (with its key) per item. */
  row: (item: T) => ReactNode;
}

export function ListTable<T>({ list, caption, columns, actions, ariaLive, emptyTitle, empty, row }: ListTableProps<T>) {
  const items = list.data?.items;
  return (
    <>
      {list.loading && !list.data && <Loading />}
      {items && items.length === 0 && <EmptyState title={emptyTitle}>{empty}</EmptyState>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-live={ariaLive}>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
                {actions && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}
