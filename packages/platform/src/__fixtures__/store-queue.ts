/**
 * A store-backed queue (PostgreSQL) as the queue contract drives it: items are only pointers,
 * so this writes each item's job row (and its recipe) before enqueueing it, and ends the job
 * when the handler returns — what the job engine does in a server. A job enqueued while it
 * runs goes back to `pending` at the end instead, to run once more.
 */
import type { Kysely } from 'kysely';
import type { JobQueue, QueueHandler, QueueItem, QueueStats } from '../jobs/queue.js';
import type { KyselyStore } from '../store/kysely.js';
import type { Database } from '../store/schema.js';

export class StoreQueue implements JobQueue {
  private chain: Promise<void>;
  private readonly recipes = new Set<string>();
  /** Jobs enqueued again while they run: their next `runAt` (ISO or null). */
  private readonly again = new Map<string, string | null>();
  private stopped = false;

  constructor(
    private readonly inner: JobQueue,
    private readonly store: KyselyStore,
    /** Runs before the first write (emptying the tables). */
    before: () => Promise<void>,
  ) {
    this.chain = before();
  }

  enqueue(items: readonly QueueItem[]): void {
    if (this.stopped) return;
    // The items of one call are committed together, as the outbox's jobs are.
    this.chain = this.chain.then(async () => {
      await this.store.db.transaction().execute(async (trx) => {
        for (const item of items) await this.write(trx, item);
      });
      this.inner.enqueue(items);
    });
  }

  setConcurrency(recipeId: string, concurrency: number): void {
    this.inner.setConcurrency(recipeId, concurrency);
  }

  async start(handler: QueueHandler): Promise<void> {
    await this.chain;
    await this.inner.start(async (item) => {
      try {
        await handler(item);
      } finally {
        await this.chain;
        await this.end(item.jobId);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain.catch(() => {});
    await this.inner.stop();
  }

  async idle(): Promise<void> {
    await this.chain;
    await this.inner.idle();
  }

  stats(): QueueStats {
    return this.inner.stats();
  }

  private async write(db: Kysely<Database>, item: QueueItem): Promise<void> {
    const at = new Date().toISOString();
    if (!this.recipes.has(item.recipeId)) {
      await db
        .insertInto('recipes')
        .values({
          id: item.recipeId,
          name: item.recipeId,
          definition: '{}',
          status: 'running',
          connector_versions: '{}',
          webhook_secret: 's',
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      this.recipes.add(item.recipeId);
    }
    const runAt = item.runAt === undefined ? null : new Date(item.runAt).toISOString();
    const row = await db
      .selectFrom('jobs')
      .select(['status', 'run_at'])
      .where('id', '=', item.jobId)
      .executeTakeFirst();
    if (!row) {
      await db
        .insertInto('jobs')
        .values({
          id: item.jobId,
          recipe_id: item.recipeId,
          status: 'pending',
          trigger: 'null',
          error: null,
          attempts: 0,
          run_at: runAt,
          rerun_of: null,
          created_at: at,
          updated_at: at,
          started_at: null,
          finished_at: null,
        })
        .execute();
    } else if (row.status === 'running') {
      const before = this.again.get(item.jobId);
      this.again.set(item.jobId, earlier(before, runAt));
    } else if (row.status === 'pending' && earlier(row.run_at, runAt) !== row.run_at) {
      await db.updateTable('jobs').set({ run_at: runAt }).where('id', '=', item.jobId).execute();
    }
  }

  private async end(jobId: string): Promise<void> {
    const at = new Date().toISOString();
    const db = this.store.db;
    if (this.again.has(jobId)) {
      const runAt = this.again.get(jobId) ?? null;
      this.again.delete(jobId);
      await db
        .updateTable('jobs')
        .set({ status: 'pending', run_at: runAt, updated_at: at, lease_owner: null, lease_until: null })
        .where('id', '=', jobId)
        .execute();
    } else {
      await db
        .updateTable('jobs')
        .set({ status: 'succeeded', finished_at: at, updated_at: at, lease_owner: null, lease_until: null })
        .where('id', '=', jobId)
        .execute();
    }
  }
}

/** The earlier of two run times (null: now); `undefined` is none yet. */
function earlier(a: string | null | undefined, b: string | null): string | null {
  if (a === undefined) return b;
  if (a === null || b === null) return null;
  return a < b ? a : b;
}
