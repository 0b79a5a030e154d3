/**
 * Group commit for the webhook ingress. Each request waits for its events to be committed
 * before it is answered 2xx; committing each request in its own transaction would make the
 * store's commit (an fsync under `synchronous = FULL`) the ceiling. Instead, requests that reach
 * this point in the same turn of the event loop share one transaction (`createJobsMany`), and
 * each is answered once that transaction has committed. Requests that arrive while a commit is
 * under way join the next one.
 *
 * The outbox rule holds: the runtime hears of the jobs only after their commit.
 */
import { messageOf } from '@weft/sdk';
import type { EventsCommitted, NewEvents, Store } from '../store/store.js';
import type { ServerContext } from './context.js';
import type { Runtime } from './runtime.js';

interface Pending {
  input: NewEvents;
  resolve: (committed: EventsCommitted) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  store: Store;
  runtime: Runtime;
  log?: ServerContext['log'];
  /** Most inputs per transaction (default 500). */
  maxBatch?: number;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private readonly maxBatch: number;
  /** Transactions committed so far (tests and diagnostics). */
  transactions = 0;

  constructor(private readonly options: GroupCommitOptions) {
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Creates the jobs of `input` (dedup included); resolves once they are committed. */
  commit(input: NewEvents): Promise<EventsCommitted> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn: every request whose body arrived with this one
    // gets into the same transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let results: EventsCommitted[];
    try {
      results = await this.options.store.createJobsMany(batch.map((p) => p.input));
      this.transactions++;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // One bad input (a recipe deleted meanwhile, an event that cannot be stored) must not
      // fail the others: commit them one by one.
      for (const pending of batch) await this.write([pending]);
      return;
    }
    const jobs = results.flatMap((r) => r.jobs);
    try {
      this.options.runtime.jobsCommitted(jobs);
    } catch (error) {
      // A listener's fault: the jobs are committed, and the queue recovers pending jobs.
      this.options.log?.('error', 'A listener of committed jobs failed', { error: messageOf(error) });
    }
    for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
  }
}
