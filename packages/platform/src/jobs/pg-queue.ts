/**
 * The queue on PostgreSQL: the `jobs` table is the queue, shared by every worker process of a
 * cluster. A claim pass (store/job-claims.ts) takes ready jobs in one transaction — oldest
 * first, each recipe's concurrency and order kept cluster-wide, `FOR UPDATE SKIP LOCKED` — and
 * leases them to this process; the handler runs each from its claim (no second read).
 *
 * When a pass runs (nothing polls for work beyond the heartbeat):
 * - the database's wake-up on `CHANNELS.jobs` (a trigger notifies when a job becomes claimable;
 *   NOTIFY is transactional, so a job is enqueued exactly when its transaction commits);
 * - a local `enqueue()` (jobs committed by this process: no round trip through NOTIFY);
 * - a handler that ends (a worker is free), a recipe's concurrency set;
 * - the one timer, armed after each pass for the earliest future `runAt`;
 * - the heartbeat (every `heartbeatMs`): it renews this process's leases in one UPDATE, then
 *   claims, which takes over the jobs of a process whose lease expired;
 * - the bus back after a loss (`onResync`).
 *
 * Items passed to `enqueue` are wake-ups only: the store decides what runs. `stats()` is this
 * process's view after its last pass (running here; ready left for lack of workers; delayed up
 * to 100): counting a backlog of millions is a database query, not a per-scrape cost.
 */
import { messageOf } from '@weft/sdk';
import { CHANNELS, type ClusterBus } from '../cluster/bus.js';
import type { ClusterOptions } from '../cluster/options.js';
import type { Log } from '../log.js';
import type { PgJobClaims } from '../store/job-claims.js';
import type { JobQueue, QueueHandler, QueueItem, QueueStats } from './queue.js';

export interface PostgresQueueOptions {
  claims: PgJobClaims;
  bus: Pick<ClusterBus, 'nodeId' | 'subscribe' | 'onResync'>;
  cluster: Pick<ClusterOptions, 'leaseMs' | 'heartbeatMs'>;
  /** Jobs this process runs at once over all recipes. */
  workers: number;
  onError?: (error: unknown, item: QueueItem) => void;
  log?: Log;
  now?: () => number;
}

/** Longest a Node timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A recipe another process was claiming: look again this soon. */
const CONTENDED_RETRY_MS = 20;
/** While `idle()` is awaited: how often the store is asked. */
const IDLE_CHECK_MS = 100;

export class PostgresQueue implements JobQueue {
  private readonly running = new Map<string, Promise<void>>();
  private readonly concurrency: Record<string, number> = {};
  private readonly idleWaiters: (() => void)[] = [];
  private handler: QueueHandler | undefined;
  private stopped = false;
  private passing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private idleCheck: NodeJS.Timeout | undefined;
  private left = 0;
  private delayedCount = 0;
  private readonly now: () => number;

  constructor(private readonly options: PostgresQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A wake-up: the jobs are in the store already; a due one is claimed by a pass now. */
  enqueue(items: readonly QueueItem[]): void {
    if (this.stopped) return;
    const now = this.now();
    let soonest = Number.POSITIVE_INFINITY;
    let due = false;
    for (const item of items) {
      if (item.runAt === undefined || item.runAt <= now) due = true;
      else soonest = Math.min(soonest, item.runAt);
    }
    if (Number.isFinite(soonest)) this.armTimer(soonest);
    if (due || items.length === 0) this.requestPass();
  }

  setConcurrency(recipeId: string, concurrency: number): void {
    this.concurrency[recipeId] = Math.max(1, Math.floor(concurrency) || 1);
    this.requestPass();
  }

  async start(handler: QueueHandler): Promise<void> {
    if (this.handler || this.stopped) return;
    this.handler = handler;
    this.options.bus.subscribe(CHANNELS.jobs, () => this.requestPass());
    this.options.bus.onResync(() => this.requestPass());
    this.heartbeat = setInterval(() => void this.beat(), this.options.cluster.heartbeatMs);
    this.heartbeat.unref();
    // The first pass recovers what is left: due jobs, and jobs of a dead process once expired.
    this.requestPass();
    await this.passing;
  }

  /**
   * Stops claiming and waits for the running handlers (the engine, closed first, stops them at
   * their next step boundary and hands their jobs back to the queue for another worker).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.timer, this.retry]) if (t) clearTimeout(t);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.timer = this.retry = this.heartbeat = this.idleCheck = undefined;
    await this.passing;
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Resolves when this process runs nothing and the store has nothing left to claim (tests and
   * shutdown): checked by a pass every `IDLE_CHECK_MS` while someone waits, since the last jobs
   * may end in another process.
   */
  idle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.idleCheck) {
      this.idleCheck = setInterval(() => {
        if (this.idleWaiters.length === 0 || this.stopped) {
          clearInterval(this.idleCheck);
          this.idleCheck = undefined;
        } else this.requestPass();
      }, IDLE_CHECK_MS);
      this.idleCheck.unref();
    }
    this.requestPass();
    return waiting;
  }

  stats(): QueueStats {
    return { ready: this.left, delayed: this.delayedCount, running: this.running.size };
  }

  private requestPass(): void {
    if (!this.handler || this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.passes().finally(() => {
      this.passing = undefined;
    });
  }

  /** Passes until no wake-up came in meanwhile (wake-ups during a pass coalesce into one more). */
  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        // The database is away: the heartbeat (and the bus's resync) tries again.
        this.options.log?.('error', 'The job queue could not claim jobs', { error: messageOf(error) });
      }
    } while (this.again && !this.stopped);
  }

  private async pass(): Promise<void> {
    const { claims } = this.options;
    const now = this.now();
    const at = new Date(now).toISOString();
    const free = this.options.workers - this.running.size;
    if (free > 0) {
      const claim = await claims.claim({
        owner: this.options.bus.nodeId,
        at,
        leaseUntil: new Date(now + this.options.cluster.leaseMs).toISOString(),
        limit: free,
        concurrency: this.concurrency,
      });
      this.left = claim.left;
      if (this.stopped) {
        // Stopped while claiming: these go back untouched, for another worker at once.
        await claims.handBack(this.options.bus.nodeId, claim.started, at);
        return;
      }
      for (const started of claim.started)
        this.launch({ jobId: started.job.id, recipeId: started.job.recipeId, claimed: started });
      if (claim.contended && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.requestPass();
        }, CONTENDED_RETRY_MS);
        this.retry.unref();
      }
    }
    const delayed = await claims.delayed(at);
    this.delayedCount = delayed.count;
    if (delayed.next) this.armTimer(Date.parse(delayed.next));
    if (this.idleWaiters.length > 0 && this.running.size === 0 && !(await claims.anyQueued(at))) {
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private launch(item: QueueItem): void {
    // Claimed again while it still runs here (its lease lapsed during a stall): the run in
    // flight goes on; its writes still hold the lease.
    if (this.running.has(item.jobId)) return;
    const run = (async () => {
      try {
        await this.handler!(item);
      } catch (error) {
        this.options.onError?.(error, item);
      } finally {
        this.running.delete(item.jobId);
        this.requestPass();
      }
    })();
    this.running.set(item.jobId, run);
  }

  /** One timer, for the earliest known time a job becomes due. */
  private armTimer(at: number): void {
    if (this.stopped) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.requestPass();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())),
    );
    this.timer.unref();
  }

  /** Renews this process's leases in one UPDATE, then claims (expired leases of others too). */
  private async beat(): Promise<void> {
    if (this.stopped) return;
    const ids = [...this.running.keys()];
    if (ids.length > 0) {
      try {
        const held = await this.options.claims.renew({
          owner: this.options.bus.nodeId,
          ids,
          leaseUntil: new Date(this.now() + this.options.cluster.leaseMs).toISOString(),
        });
        const lost = ids.filter((id) => !held.has(id) && this.running.has(id));
        if (lost.length > 0) {
          // Taken over or stopped meanwhile: their runs' writes are dropped (fenced).
          this.options.log?.('warn', `Lost the lease of ${lost.length} running job(s)`, { jobIds: lost.slice(0, 10) });
        }
      } catch (error) {
        this.options.log?.('error', 'The job queue could not renew its leases', { error: messageOf(error) });
      }
    }
    this.requestPass();
  }
}
