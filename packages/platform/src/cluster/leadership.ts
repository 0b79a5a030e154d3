/**
 * Who runs the cluster-wide loops (polls, webhook subscription refreshes, the retention sweep):
 * the leader among the processes with the `scheduler` role (lease.ts holds the lease). The
 * embedded store has one process, which always leads.
 */
export interface Leadership {
  /** True while this process holds the lease. */
  readonly leading: boolean;
  /** Calls `listener` when this process becomes the leader (true) or stops being it (false). */
  onChange(listener: (leading: boolean) => void): void;
  /** Starts contending (the lease); called once the server has started. */
  open?(): Promise<void>;
  /** Stops contending and releases what it holds. */
  close?(): Promise<void>;
}

/** The one process of the embedded store: it leads, always. */
export const ALWAYS_LEADING: Leadership = { leading: true, onChange() {} };

/** A process without the `scheduler` role: it never leads. */
export const NEVER_LEADING: Leadership = { leading: false, onChange() {} };
