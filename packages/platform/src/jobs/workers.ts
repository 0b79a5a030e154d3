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
import type { ClusterBus } from '../cluster/bus.js';
import type { Leadership } from '../cluster/leadership.js';
import type { ClusterOptions } from '../cluster/options.js';
import type { Connections } from '../connections.js';
import type { Log } from '../log.js';
import type { Recipe } from '../recipes/types.js';
import type { Registry } from '../registry.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { RecipeLifecycle, Runtime } from '../runtime/runtime.js';
import type { RecipeRecord, Store } from '../store/store.js';
import { JobEngine } from './engine.js';
import { PostgresQueue } from './pg-queue.js';
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

/** What the workers run with. */
export interface WorkersDeps {
  store: Pick<Store, 'listRecipes'>;
  runtime: Pick<Runtime, 'onJobsCommitted'>;
  options: Pick<RuntimeOptions, 'jobRetryBaseMs'>;
  log: Log;
}

export class Workers implements RecipeLifecycle {
  readonly name = 'workers';

  constructor(
    private readonly deps: WorkersDeps,
    readonly queue: JobQueue,
    readonly engine: JobEngine,
  ) {}

  /** Recipes' concurrency known, the outbox wired, the queue started (recovering unfinished jobs). */
  async open(): Promise<void> {
    let cursor: string | null | undefined;
    do {
      const page = await this.deps.store.listRecipes({ limit: 1000, cursor });
      for (const recipe of page.items) this.queue.setConcurrency(recipe.id, concurrencyOf(recipe));
      cursor = page.nextCursor;
    } while (cursor);
    this.deps.runtime.onJobsCommitted((jobs) => {
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
      const outcome = await this.engine.run(item.jobId, item.claimed);
      if (outcome.kind === 'later') runAt = outcome.runAt;
    } catch (error) {
      // The store failed us (busy, disk full): the job is as it was committed; try it again.
      this.deps.log('error', `Job ${item.jobId} could not be run; trying again`, { error: messageOf(error) });
      runAt = Date.now() + Math.max(1000, this.deps.options.jobRetryBaseMs);
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

  changed(recipeId: string): void {
    this.engine.forgetRecipe(recipeId);
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.queue.stop();
  }
}

/** The job engine's parts as the server holds them. */
export interface JobSystem {
  queue: JobQueue;
  engine: JobEngine;
  workers: Workers;
  retention: Retention;
  /** Resolves when no job is queued or running (delayed ones included). */
  idle(): Promise<void>;
}

/** What the job system is built from (the composition root passes them in). */
export interface JobSystemDeps {
  store: Pick<
    Store,
    | 'unfinishedJobs'
    | 'listRecipes'
    | 'startJobs'
    | 'saveJobProgress'
    | 'getRecipe'
    | 'deleteFinishedJobs'
    | 'jobClaims'
  >;
  /** On a shared database (PostgreSQL) the queue is the store's `jobs` table (pg-queue.ts). */
  bus: Pick<ClusterBus, 'nodeId' | 'shared' | 'subscribe' | 'onResync'>;
  cluster: Pick<ClusterOptions, 'leaseMs' | 'heartbeatMs'>;
  registry: Pick<Registry, 'definitionAt'>;
  connections: Pick<Connections, 'live'>;
  runtime: Pick<Runtime, 'onJobsCommitted'>;
  options: RuntimeOptions;
  publicUrl: () => string;
  log: Log;
  /** Told of each job that reached an end (the metrics). */
  onJobFinished?: (status: string, seconds: number) => void;
  /** The retention sweep runs only while this process leads (default: always). */
  leadership?: Leadership;
}

/**
 * Builds the queue, the engine, the workers and the retention sweep; starts nothing (the
 * composition root registers them with the runtime and opens them).
 */
export function createJobSystem(deps: JobSystemDeps): JobSystem {
  const { store, options, log } = deps;
  const onError = (error: unknown, item: QueueItem) =>
    log('error', `Job ${item.jobId} failed in its worker`, { error: messageOf(error) });
  // The in-memory queue (and its claim of fresh jobs from memory) is the embedded store's alone.
  const claims = deps.bus.shared ? store.jobClaims : undefined;
  const queue: JobQueue = claims
    ? new PostgresQueue({ claims, bus: deps.bus, cluster: deps.cluster, workers: options.workers, onError, log })
    : new EmbeddedQueue({ workers: options.workers, recover: () => recoverableJobs(store), onError });
  const engine = new JobEngine({
    store,
    registry: deps.registry,
    connections: deps.connections,
    options,
    publicUrl: deps.publicUrl,
    log,
    onFinished: deps.onJobFinished,
    ...(claims ? { leaseOwner: deps.bus.nodeId } : {}),
  });
  const workers = new Workers(deps, queue, engine);
  const retention = new Retention(deps);
  return { queue, engine, workers, retention, idle: () => queue.idle() };
}
