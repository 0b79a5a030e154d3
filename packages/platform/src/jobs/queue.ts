/**
 * The job queue: which job runs next, and how many at once. Items are only pointers
 * (`{ jobId, recipeId, runAt }`); the job itself lives in the store, which is what makes the
 * queue durable. `JobQueue` is what a BullMQ implementation will satisfy too; `queue-contract.ts`
 * is the behaviour every implementation must show.
 *
 * Rules:
 * - Items are enqueued only after the jobs they point to are committed (the runtime's outbox).
 * - Per recipe, at most `concurrency` jobs run at once (default 1), and ready jobs start in the
 *   order of their ids — the order of creation. A job waiting for its `runAt` (a retry's
 *   back-off, a multistep sleep, a wait for resume) holds no slot: later jobs of the recipe run
 *   meanwhile, and when it is due it goes before every younger job still waiting.
 * - At most `workers` jobs run at once over all recipes; the oldest ready job goes first.
 * - Enqueueing an id that is already queued keeps one item, with the earlier `runAt`; an id
 *   whose handler is running is queued again once the handler ends. Running a job early is
 *   harmless: the engine checks the job's `runAt` in the store and puts it back.
 */
import type { JobStart } from '../store/store.js';
import { MinHeap } from './heap.js';

export interface QueueItem {
  jobId: string;
  recipeId: string;
  /** When the job may run, in epoch milliseconds; absent or past: now. */
  runAt?: number;
  /** The job as a store-backed queue claimed it (PostgreSQL): the engine runs from it. */
  claimed?: JobStart;
}

/** Runs one job; a rejection is reported (`onError`) and the queue goes on. */
export type QueueHandler = (item: QueueItem) => Promise<void>;

export interface QueueStats {
  ready: number;
  delayed: number;
  running: number;
}

export interface JobQueue {
  /** Adds items whose jobs are committed (see the rules above for ids already queued). */
  enqueue(items: readonly QueueItem[]): void;
  /** How many jobs of the recipe may run at once, from now on (1 to 100; default 1). */
  setConcurrency(recipeId: string, concurrency: number): void;
  /** Starts handing items to `handler` (after recovering the jobs a stop or crash left behind). */
  start(handler: QueueHandler): Promise<void>;
  /** Stops starting jobs and waits for the running handlers; queued items are dropped. */
  stop(): Promise<void>;
  /** Resolves when nothing is queued (ready or delayed) and nothing runs: for tests and shutdown. */
  idle(): Promise<void>;
  stats(): QueueStats;
}

export interface EmbeddedQueueOptions {
  /** Jobs run at once over all recipes. */
  workers: number;
  /** The items to recover on start, oldest first (the store's unfinished jobs). */
  recover?: () => Promise<readonly QueueItem[]>;
  /** A handler that threw. */
  onError?: (error: unknown, item: QueueItem) => void;
  now?: () => number;
}

interface Entry {
  item: QueueItem;
  lane: Lane;
  state: 'delayed' | 'ready' | 'running';
  runAt: number;
  /** Bumped when `runAt` moves, so the delayed heap's older copies are skipped. */
  version: number;
  /** Enqueued again while running: its `runAt`. */
  again?: number;
}

interface Lane {
  recipeId: string;
  running: number;
  ready: MinHeap<Entry>;
  /** Entries of this recipe in any state. */
  entries: number;
}

interface Delayed {
  entry: Entry;
  runAt: number;
  version: number;
}

/** Longest a Node timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const byJobId = (a: Entry, b: Entry) => a.item.jobId < b.item.jobId;

/**
 * The in-process queue of `weft serve`. Durability comes from the store: on start it recovers
 * every unfinished job (`recover`), so nothing is lost when the process stops or crashes.
 */
export class EmbeddedQueue implements JobQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly lanes = new Map<string, Lane>();
  /** Lanes with at least one ready entry. */
  private readonly readyLanes = new Set<Lane>();
  private readonly concurrency = new Map<string, number>();
  private readonly delayed = new MinHeap<Delayed>((a, b) => a.runAt < b.runAt);
  private readonly inflight = new Set<Promise<void>>();
  private readonly idleWaiters: (() => void)[] = [];
  private handler: QueueHandler | undefined;
  private stopped = false;
  private running = 0;
  private readyCount = 0;
  private dispatchScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: EmbeddedQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  enqueue(items: readonly QueueItem[]): void {
    if (this.stopped) return;
    for (const item of items) this.add(item);
  }

  setConcurrency(recipeId: string, concurrency: number): void {
    this.concurrency.set(recipeId, Math.max(1, Math.floor(concurrency) || 1));
    this.scheduleDispatch();
  }

  async start(handler: QueueHandler): Promise<void> {
    if (this.handler || this.stopped) return;
    // Recovered items are in the heaps before the first dispatch, so a job committed during
    // recovery cannot overtake an older one of its recipe.
    const recovered = (await this.options.recover?.()) ?? [];
    this.enqueue(recovered);
    this.handler = handler;
    this.scheduleDispatch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.entries.clear();
    this.lanes.clear();
    this.readyLanes.clear();
    this.delayed.clear();
    this.readyCount = 0;
    this.notifyIdle();
  }

  idle(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): QueueStats {
    return {
      ready: this.readyCount,
      delayed: this.entries.size - this.readyCount - this.running,
      running: this.running,
    };
  }

  private concurrencyOf(recipeId: string): number {
    return this.concurrency.get(recipeId) ?? 1;
  }

  private add(item: QueueItem): void {
    const runAt = Number.isFinite(item.runAt) ? (item.runAt as number) : 0;
    const existing = this.entries.get(item.jobId);
    if (existing) {
      if (existing.state === 'running') existing.again = Math.min(existing.again ?? Number.POSITIVE_INFINITY, runAt);
      else if (existing.state === 'delayed' && runAt < existing.runAt) {
        existing.runAt = runAt;
        existing.version++;
        this.place(existing);
      }
      return;
    }
    let lane = this.lanes.get(item.recipeId);
    if (!lane) {
      lane = { recipeId: item.recipeId, running: 0, ready: new MinHeap(byJobId), entries: 0 };
      this.lanes.set(item.recipeId, lane);
    }
    lane.entries++;
    const entry: Entry = {
      item: { jobId: item.jobId, recipeId: item.recipeId, runAt },
      lane,
      state: 'delayed',
      runAt,
      version: 0,
    };
    this.entries.set(item.jobId, entry);
    this.place(entry);
  }

  /** Ready now, or into the delayed heap. */
  private place(entry: Entry): void {
    entry.item.runAt = entry.runAt;
    if (entry.runAt <= this.now()) {
      entry.state = 'ready';
      entry.lane.ready.push(entry);
      this.readyLanes.add(entry.lane);
      this.readyCount++;
      this.scheduleDispatch();
    } else {
      entry.state = 'delayed';
      this.delayed.push({ entry, runAt: entry.runAt, version: entry.version });
      this.armTimer();
    }
  }

  private isStale(d: Delayed): boolean {
    return (
      d.entry.state !== 'delayed' || d.version !== d.entry.version || this.entries.get(d.entry.item.jobId) !== d.entry
    );
  }

  private armTimer(): void {
    let top = this.delayed.peek();
    while (top && this.isStale(top)) {
      this.delayed.pop();
      top = this.delayed.peek();
    }
    if (!top) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timerAt <= top.runAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.runAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.promote();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, top.runAt - this.now())),
    );
    this.timer.unref();
  }

  /** Moves due delayed entries to their lanes. */
  private promote(): void {
    if (this.stopped) return;
    const now = this.now();
    for (let top = this.delayed.peek(); top && (this.isStale(top) || top.runAt <= now); top = this.delayed.peek()) {
      this.delayed.pop();
      if (!this.isStale(top)) this.place(top.entry);
    }
    this.armTimer();
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled || !this.handler || this.stopped) return;
    this.dispatchScheduled = true;
    // Coalesces the enqueues of one turn into one pass, and keeps handlers out of the caller's stack.
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (!this.handler || this.stopped) return;
    while (this.running < this.options.workers) {
      let best: Lane | undefined;
      let bestId = '';
      for (const lane of this.readyLanes) {
        if (lane.running >= this.concurrencyOf(lane.recipeId)) continue;
        const id = lane.ready.peek()!.item.jobId;
        if (!best || id < bestId) {
          best = lane;
          bestId = id;
        }
      }
      if (!best) return;
      const entry = best.ready.pop()!;
      if (best.ready.size === 0) this.readyLanes.delete(best);
      this.readyCount--;
      entry.state = 'running';
      best.running++;
      this.running++;
      const run = this.run(entry);
      this.inflight.add(run);
      void run.finally(() => this.inflight.delete(run));
    }
  }

  private async run(entry: Entry): Promise<void> {
    try {
      await this.handler!(entry.item);
    } catch (error) {
      this.options.onError?.(error, entry.item);
    } finally {
      const lane = entry.lane;
      lane.running--;
      lane.entries--;
      this.running--;
      this.entries.delete(entry.item.jobId);
      if (entry.again !== undefined && !this.stopped) {
        this.add({ jobId: entry.item.jobId, recipeId: entry.item.recipeId, runAt: entry.again });
      } else if (lane.entries === 0 && this.lanes.get(lane.recipeId) === lane) {
        this.lanes.delete(lane.recipeId);
      }
      this.scheduleDispatch();
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    if (this.entries.size > 0 || this.idleWaiters.length === 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
