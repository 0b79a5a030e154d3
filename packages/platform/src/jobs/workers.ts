/**
 * The workers: the glue between the runtime's outbox, the queue and the engine. Jobs committed
 * anywhere (webhooks, polls, re-runs, resumes) are enqueued; the queue hands each to the
 * engine; a job that must wait (retry back-off, multistep sleep, wait for resume) is enqueued
 * again for its time.
 *
 * Stopping a recipe stops new events only: jobs already created — pending, suspended or
 * running — still run to their end, with the recipe as it is when each one (re)starts. Their
 * events were accepted and the poll's closure has moved past them; dropping them would lose
 * data. To discard them, delete the recipe (its jobs go with it).
 */
import { messageOf } from '@weft/sdk';
import type { Recipe } from '../recipes/types.js';
import type { ServerContext } from '../runtime/context.js';
import type { RecipeLifecycle } from '../runtime/runtime.js';
import type { RecipeRecord, Store } from '../store/store.js';
import { Scheduler } from '../triggers/scheduler.js';
import { JobEngine } from './engine.js';
import { EmbeddedQueue, type JobQueue, type QueueItem } from './queue.js';
import { Retention } from './retention.js';

/** The store's unfinished jobs as queue items, oldest first (what the queue recovers on start). */
export async function recoverableJobs(store: Pick<Store, 'unfinishedJobs'>): Promise<QueueItem[]> {
  return (await store.unfinishedJobs()).map((job) => ({
    jobId: job.id,
    recipeId: job.recipeId,
    runAt: job.runAt ? Date.parse(job.runAt) : undefined,
  }));
}

function concurrencyOf(recipe: RecipeRecord): number {
  return (recipe.definition as Partial<Recipe> | null)?.concurrency ?? 1;
}

export class Workers implements RecipeLifecycle {
  readonly name = 'workers';

  constructor(
    private readonly context: ServerContext,
    readonly queue: JobQueue,
    readonly engine: JobEngine,
  ) {}

  /** Recipes' concurrency known, the outbox wired, the queue started (recovering unfinished jobs). */
  async open(): Promise<void> {
    let cursor: string | null | undefined;
    do {
      const page = await this.context.store.listRecipes({ limit: 1000, cursor });
      for (const recipe of page.items) this.queue.setConcurrency(recipe.id, concurrencyOf(recipe));
      cursor = page.nextCursor;
    } while (cursor);
    this.context.runtime.onJobsCommitted((jobs) => {
      this.engine.committed(jobs);
      const items: QueueItem[] = new Array(jobs.length);
      for (let i = 0; i < jobs.length; i++) {
        const job = jobs[i];
        items[i] = { jobId: job.id, recipeId: job.recipeId, runAt: job.runAt ? Date.parse(job.runAt) : undefined };
      }
      this.queue.enqueue(items);
    });
    await this.queue.start((item) => this.handle(item));
  }

  private async handle(item: QueueItem): Promise<void> {
    let runAt: number | undefined;
    try {
      const outcome = await this.engine.run(item.jobId);
      if (outcome.kind === 'later') runAt = outcome.runAt;
    } catch (error) {
      // The store failed us (busy, disk full): the job is as it was committed; try it again.
      this.context.log('error', `Job ${item.jobId} could not be run; trying again`, { error: messageOf(error) });
      runAt = Date.now() + Math.max(1000, this.context.options.jobRetryBaseMs);
    }
    if (runAt !== undefined) this.queue.enqueue([{ jobId: item.jobId, recipeId: item.recipeId, runAt }]);
  }

  async start(recipe: RecipeRecord): Promise<void> {
    this.queue.setConcurrency(recipe.id, concurrencyOf(recipe));
    this.engine.rememberRecipe(recipe);
  }

  async resume(recipe: RecipeRecord): Promise<void> {
    await this.start(recipe);
  }

  async stop(recipe: RecipeRecord): Promise<void> {
    // Its remaining jobs read the recipe afresh (it may be changed while stopped).
    this.engine.forgetRecipe(recipe.id);
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.queue.stop();
  }
}

/** The job engine's parts as the server holds them (tests reach them through `context.jobs`). */
export interface JobSystem {
  queue: JobQueue;
  engine: JobEngine;
  workers: Workers;
  scheduler: Scheduler;
  retention: Retention;
  /** Resolves when no job is queued or running (delayed ones included). */
  idle(): Promise<void>;
}

/**
 * Builds the queue, the engine, the workers, the scheduler and the retention sweep, registers
 * them with the runtime and starts the queue (which recovers the jobs a stop or crash left).
 * Call before the running recipes are resumed.
 */
export async function startJobSystem(context: ServerContext): Promise<JobSystem> {
  const { store, options } = context;
  const queue = new EmbeddedQueue({
    workers: options.workers,
    recover: () => recoverableJobs(store),
    onError: (error, item) =>
      context.log('error', `Job ${item.jobId} failed in its worker`, { error: messageOf(error) }),
  });
  const engine = new JobEngine({
    store,
    registry: context.registry,
    connections: context.connections,
    options,
    publicUrl: context.publicUrl,
    log: context.log,
  });
  const workers = new Workers(context, queue, engine);
  const scheduler = new Scheduler(context);
  const retention = new Retention(context);
  const system: JobSystem = { queue, engine, workers, scheduler, retention, idle: () => queue.idle() };
  context.jobs = system;
  context.runtime.use(workers);
  context.runtime.use(scheduler);
  context.runtime.use(retention);
  await workers.open();
  retention.open();
  return system;
}
