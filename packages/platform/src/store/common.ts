/**
 * What every repository of the store shares: pages of a list and the store's error.
 */

export type { Page } from '@weft/sdk/model';

export interface PageRequest {
  /** 1 to 1000. */
  limit: number;
  cursor?: string | null;
}

/**
 * What `StoreError.code` says: a unique key taken, a cursor this store did not hand out, or a
 * poll whose trigger state changed since it started (another process polled meanwhile,
 * `POLL_SUPERSEDED`), or a lock another holder kept too long (`BUSY`).
 */
export type StoreErrorCode = 'CONFLICT' | 'NOT_FOUND' | 'INVALID_CURSOR' | 'POLL_SUPERSEDED' | 'BUSY';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
