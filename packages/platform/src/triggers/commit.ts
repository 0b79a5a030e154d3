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
import type { Log } from '../log.js';
import type { Runtime } from '../runtime/runtime.js';
import type { EventsCommitted, NewEvents, Store } from '../store/store.js';
import { Batcher } from './batch.js';

export interface GroupCommitOptions {
  store: Pick<Store, 'createJobsMany'>;
  runtime: Pick<Runtime, 'jobsCommitted'>;
  log?: Log;
  /** Most inputs per transaction (default 500). */
  maxBatch?: number;
}

export class GroupCommit {
  private readonly batcher: Batcher<NewEvents, EventsCommitted>;

  constructor(private readonly options: GroupCommitOptions) {
    // The batcher shares one `createJobsMany` among the calls of one event-loop turn, and
    // retries the inputs one by one when a shared transaction fails.
    this.batcher = new Batcher((inputs) => this.write(inputs), options.maxBatch ?? 500);
  }

  /** Transactions committed so far (tests and diagnostics). */
  get transactions(): number {
    return this.batcher.calls;
  }

  /** Creates the jobs of `input` (dedup included); resolves once they are committed. */
  commit(input: NewEvents): Promise<EventsCommitted> {
    return this.batcher.call(input);
  }

  private async write(inputs: NewEvents[]): Promise<EventsCommitted[]> {
    const results = await this.options.store.createJobsMany(inputs);
    try {
      this.options.runtime.jobsCommitted(results.flatMap((r) => r.jobs));
    } catch (error) {
      // A listener's fault: the jobs are committed, and the queue recovers pending jobs.
      this.options.log?.('error', 'A listener of committed jobs failed', { error: messageOf(error) });
    }
    return results;
  }
}
