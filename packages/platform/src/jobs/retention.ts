/**
 * Retention: finished jobs (succeeded, failed, stopped) older than `jobRetentionDays` are
 * deleted with their step records, at start and then every hour, in batches so the store is
 * never locked for long. `WEFT_JOB_RETENTION_DAYS=0` keeps every job. In a cluster only the
 * leader sweeps (`leadership`).
 */
import { messageOf } from '@weft/sdk';
import { ALWAYS_LEADING, type Leadership } from '../cluster/leadership.js';
import type { Log } from '../log.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { RecipeLifecycle } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';

export const RETENTION_SWEEP_MS = 60 * 60 * 1000;
const BATCH = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export class Retention implements RecipeLifecycle {
  readonly name = 'retention';
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private closed = false;

  constructor(
    private readonly context: {
      store: Pick<Store, 'deleteFinishedJobs'>;
      options: Pick<RuntimeOptions, 'jobRetentionDays'>;
      log: Log;
      leadership?: Leadership;
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** Sweeps now, then every hour (while this process leads; at once when it becomes the leader). */
  open(): void {
    const leadership = this.context.leadership ?? ALWAYS_LEADING;
    const sweepIfLeading = () => {
      if (leadership.leading && !this.closed) void this.sweep();
    };
    leadership.onChange(sweepIfLeading);
    sweepIfLeading();
    this.timer = setInterval(sweepIfLeading, RETENTION_SWEEP_MS);
    this.timer.unref();
  }

  /** Deletes the finished jobs past retention; returns how many. One sweep at a time. */
  sweep(): Promise<number> {
    this.sweeping ??= this.run().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async run(): Promise<number> {
    const days = this.context.options.jobRetentionDays;
    if (days <= 0) return 0;
    const before = new Date(this.now() - days * DAY_MS).toISOString();
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.context.store.deleteFinishedJobs({ before, limit: BATCH });
        total += deleted;
        if (deleted < BATCH || this.closed) break;
        // Let jobs and requests in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.context.log('warn', 'The retention sweep of finished jobs failed', { error: messageOf(error) });
    }
    if (total > 0) this.context.log('info', `Deleted ${total} finished job(s) older than ${days} day(s)`);
    return total;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }
}
