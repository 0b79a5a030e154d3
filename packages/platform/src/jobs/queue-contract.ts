/**
 * The queue contract: the behaviour every `JobQueue` implementation must show (the embedded
 * queue runs it in queue.test.ts; a BullMQ queue will run the same suite).
 *
 *     runQueueContract((options) => new EmbeddedQueue(options));
 *
 * Job ids sort by creation (like the store's), so `job_001` is older than `job_002`. A queue
 * backed by the store (PostgreSQL) runs it through a factory that writes each item's job row
 * before enqueueing it and ends the job when its handler returns (`__fixtures__/store-queue.ts`).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { JobQueue, QueueItem } from './queue.js';

export interface QueueFactoryOptions {
  workers: number;
  /** Reports of handlers that threw. */
  onError?: (error: unknown, item: QueueItem) => void;
}

/** A handler whose runs are held until released, recording what ran and how many at once. */
class Recorder {
  readonly started: string[] = [];
  readonly finished: string[] = [];
  running = 0;
  maxRunning = 0;
  readonly runningPerRecipe = new Map<string, number>();
  readonly maxPerRecipe = new Map<string, number>();
  private readonly holds = new Map<string, () => void>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly hold = false) {}

  handler = async (item: QueueItem): Promise<void> => {
    this.started.push(item.jobId);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const n = (this.runningPerRecipe.get(item.recipeId) ?? 0) + 1;
    this.runningPerRecipe.set(item.recipeId, n);
    this.maxPerRecipe.set(item.recipeId, Math.max(this.maxPerRecipe.get(item.recipeId) ?? 0, n));
    this.notify();
    try {
      if (this.hold) await new Promise<void>((resolve) => this.holds.set(item.jobId, resolve));
      else await new Promise((resolve) => setImmediate(resolve));
    } finally {
      this.running--;
      this.runningPerRecipe.set(item.recipeId, this.runningPerRecipe.get(item.recipeId)! - 1);
      this.finished.push(item.jobId);
    }
  };

  /** Resolves once `count` handlers have started. */
  startedCount(count: number): Promise<void> {
    if (this.started.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  release(jobId: string): void {
    const resolve = this.holds.get(jobId);
    if (!resolve) throw new Error(`${jobId} is not running`);
    this.holds.delete(jobId);
    resolve();
  }

  releaseAll(): void {
    for (const id of [...this.holds.keys()]) this.release(id);
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (this.started.length >= w.count) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

const id = (n: number) => `job_${String(n).padStart(3, '0')}`;
const items = (recipeId: string, ns: number[]): QueueItem[] => ns.map((n) => ({ jobId: id(n), recipeId }));
export interface ContractOptions {
  /**
   * How long a test waits for the queue to act (5 ms by default); its delays scale with it. A
   * store-backed queue (its factory writes the rows of the items enqueued) needs more.
   */
  tickMs?: number;
}

export function runQueueContract(
  makeQueue: (options: QueueFactoryOptions) => JobQueue,
  contract: ContractOptions = {},
): void {
  let queue: JobQueue | undefined;
  const t = contract.tickMs ?? 5;
  const tick = () => new Promise((resolve) => setTimeout(resolve, t));

  afterEach(async () => {
    await queue?.stop();
    queue = undefined;
  });

  const make = (options: QueueFactoryOptions) => {
    queue = makeQueue(options);
    return queue;
  };

  describe('order and concurrency', () => {
    test('jobs of a recipe run one at a time, in order of creation, by default', async () => {
      const q = make({ workers: 8 });
      const rec = new Recorder();
      // Enqueued out of order before the start: creation order still wins.
      q.enqueue(items('r1', [3, 1, 2]));
      await q.start(rec.handler);
      q.enqueue(items('r1', [4, 5]));
      await q.idle();
      expect(rec.started).toEqual([id(1), id(2), id(3), id(4), id(5)]);
      expect(rec.maxPerRecipe.get('r1')).toBe(1);
    });

    test("a recipe's concurrency lets that many of its jobs run at once, and no more", async () => {
      const q = make({ workers: 32 });
      const rec = new Recorder(true);
      q.setConcurrency('r1', 3);
      await q.start(rec.handler);
      q.enqueue(items('r1', [1, 2, 3, 4, 5, 6, 7]));
      await rec.startedCount(3);
      await tick();
      expect(rec.started).toEqual([id(1), id(2), id(3)]);
      rec.release(id(2));
      await rec.startedCount(4);
      expect(rec.started[3]).toBe(id(4));
      rec.releaseAll();
      while (rec.started.length < 7) {
        await tick();
        rec.releaseAll();
      }
      await q.idle();
      expect(rec.maxPerRecipe.get('r1')).toBe(3);
    });

    test('recipes run side by side, each in its own order', async () => {
      const q = make({ workers: 8 });
      const rec = new Recorder(true);
      await q.start(rec.handler);
      q.enqueue([...items('a', [1, 3]), ...items('b', [2, 4])]);
      await rec.startedCount(2);
      await tick();
      expect(rec.started.sort()).toEqual([id(1), id(2)]);
      rec.release(id(2));
      await rec.startedCount(3);
      expect(rec.started[2]).toBe(id(4));
      rec.releaseAll();
      await rec.startedCount(4);
      rec.releaseAll();
      await q.idle();
    });

    test('the global worker limit holds over all recipes, oldest job first', async () => {
      const q = make({ workers: 2 });
      const rec = new Recorder(true);
      for (const r of ['a', 'b', 'c']) q.setConcurrency(r, 5);
      await q.start(rec.handler);
      q.enqueue([...items('c', [5, 6]), ...items('a', [1, 2]), ...items('b', [3, 4])]);
      await rec.startedCount(2);
      await tick();
      expect(rec.started).toEqual([id(1), id(2)]);
      rec.release(id(1));
      await rec.startedCount(3);
      expect(rec.started[2]).toBe(id(3));
      while (rec.finished.length < 6) {
        rec.releaseAll();
        await tick();
      }
      await q.idle();
      expect(rec.maxRunning).toBe(2);
    });

    test('raising the concurrency of a recipe starts more of its jobs at once', async () => {
      const q = make({ workers: 8 });
      const rec = new Recorder(true);
      await q.start(rec.handler);
      q.enqueue(items('r', [1, 2, 3]));
      await rec.startedCount(1);
      q.setConcurrency('r', 3);
      await rec.startedCount(3);
      rec.releaseAll();
      await q.idle();
    });
  });

  describe('delays', () => {
    test('a delayed job runs at its time; younger ready jobs run meanwhile', async () => {
      const q = make({ workers: 4 });
      const rec = new Recorder();
      await q.start(rec.handler);
      const at = Date.now() + 40 * t;
      q.enqueue([{ jobId: id(1), recipeId: 'r', runAt: at }, ...items('r', [2, 3])]);
      await rec.startedCount(2);
      // The two ready jobs end (their handlers' ends may take a few turns on a busy machine).
      for (let i = 0; i < 30 && q.stats().running > 0; i++) await tick();
      expect(rec.started).toEqual([id(2), id(3)]);
      expect(q.stats()).toMatchObject({ delayed: 1, running: 0 });
      await q.idle();
      expect(rec.started).toEqual([id(2), id(3), id(1)]);
      expect(Date.now()).toBeGreaterThanOrEqual(at);
    });

    test('once due, a delayed job goes before younger jobs of its recipe', async () => {
      const q = make({ workers: 4 });
      const rec = new Recorder(true);
      await q.start(rec.handler);
      q.enqueue(items('r', [2]));
      await rec.startedCount(1);
      q.enqueue([{ jobId: id(1), recipeId: 'r', runAt: Date.now() + 4 * t }, ...items('r', [3])]);
      await new Promise((resolve) => setTimeout(resolve, 8 * t));
      rec.release(id(2));
      await rec.startedCount(2);
      expect(rec.started).toEqual([id(2), id(1)]);
      rec.release(id(1));
      await rec.startedCount(3);
      rec.release(id(3));
      await q.idle();
    });
  });

  describe('idempotence', () => {
    test('enqueueing a queued job again keeps one item, with the earlier time', async () => {
      const q = make({ workers: 4 });
      const rec = new Recorder();
      q.enqueue([{ jobId: id(1), recipeId: 'r', runAt: Date.now() + 60_000 }]);
      q.enqueue([{ jobId: id(1), recipeId: 'r' }]);
      q.enqueue([{ jobId: id(1), recipeId: 'r', runAt: Date.now() + 120_000 }]);
      q.enqueue(items('r', [2, 2]));
      await q.start(rec.handler);
      await q.idle();
      expect(rec.started).toEqual([id(1), id(2)]);
    });

    test('a job enqueued while it runs runs once more after', async () => {
      const q = make({ workers: 4 });
      const rec = new Recorder(true);
      await q.start(rec.handler);
      q.enqueue(items('r', [1]));
      await rec.startedCount(1);
      q.enqueue(items('r', [1]));
      q.enqueue(items('r', [1]));
      rec.release(id(1));
      await rec.startedCount(2);
      rec.release(id(1));
      await q.idle();
      expect(rec.started).toEqual([id(1), id(1)]);
    });

    test('a handler that throws is reported and the queue goes on', async () => {
      const errors: string[] = [];
      const q = make({ workers: 1, onError: (_e, item) => errors.push(item.jobId) });
      const ran: string[] = [];
      await q.start(async (item) => {
        ran.push(item.jobId);
        if (item.jobId === id(1)) throw new Error('boom');
      });
      q.enqueue(items('r', [1, 2]));
      await q.idle();
      expect(ran).toEqual([id(1), id(2)]);
      expect(errors).toEqual([id(1)]);
    });
  });

  describe('stop', () => {
    test('stop waits for running handlers and starts nothing new', async () => {
      const q = make({ workers: 2 });
      const rec = new Recorder(true);
      q.setConcurrency('r', 2);
      await q.start(rec.handler);
      q.enqueue(items('r', [1, 2, 3]));
      await rec.startedCount(2);
      let stopped = false;
      const stopping = q.stop().then(() => {
        stopped = true;
      });
      await tick();
      expect(stopped).toBe(false);
      rec.release(id(1));
      await tick();
      expect(stopped).toBe(false);
      rec.release(id(2));
      await stopping;
      expect(rec.finished.sort()).toEqual([id(1), id(2)]);
      q.enqueue(items('r', [4]));
      await tick();
      expect(rec.started).toHaveLength(2);
    });
  });
}
