/**
 * The claim of a job and the recipe it runs: what the engine reads before a run. Claims of
 * concurrent jobs share a transaction (`startJobs`); a job just committed and never run is
 * claimed from memory (the outbox handed it over), and running recipes are cached.
 */
import type { JobRecord, JobStart, RecipeRecord, Store } from '../store/store.js';
import { Batcher } from '../triggers/batch.js';
import type { Clock } from './clock.js';

/** Jobs just committed kept in memory so their first run needs no read (beyond: read them). */
const MAX_FRESH = 10_000;

export class Claims {
  private readonly batch: Batcher<string, JobStart>;
  /** Jobs just created (pending, never run), as committed: their claim needs no read. */
  private readonly fresh = new Map<string, JobRecord>();

  constructor(
    store: Pick<Store, 'startJobs'>,
    private readonly clock: Clock,
  ) {
    this.batch = new Batcher((ids) => store.startJobs(ids, clock.iso()));
  }

  /** Store transactions taken so far (diagnostics). */
  get transactions(): number {
    return this.batch.calls;
  }

  /** Jobs as they are committed: a job never run has no steps and no wait, so it needs no read. */
  committed(jobs: readonly JobRecord[]): void {
    for (const job of jobs) {
      if (this.fresh.size >= MAX_FRESH) return;
      if (job.status === 'pending' && job.attempts === 0 && job.runAt === null) this.fresh.set(job.id, job);
    }
  }

  /** The claim of a job: from memory for a fresh one (`unwritten`), else from the store (grouped). */
  claim(jobId: string): Promise<JobStart> | JobStart {
    const job = this.fresh.get(jobId);
    if (!job) return this.batch.call(jobId);
    this.fresh.delete(jobId);
    const at = this.clock.iso();
    return {
      kind: 'started',
      job: { ...job, status: 'running', attempts: 1, startedAt: at, runAt: null, updatedAt: at },
      resumed: false,
      unwritten: true,
      steps: [],
      wait: null,
    };
  }
}

/** Running recipes, cached; a recipe that stops or starts is read again. */
export class RecipeCache {
  private readonly records = new Map<string, Promise<RecipeRecord | undefined>>();

  constructor(private readonly store: Pick<Store, 'getRecipe'>) {}

  forget(id: string): void {
    this.records.delete(id);
  }

  /** A recipe that starts (its record as the start saw it; it is marked running right after). */
  remember(record: RecipeRecord): void {
    this.records.set(record.id, Promise.resolve({ ...record, status: 'running' }));
  }

  get(id: string): Promise<RecipeRecord | undefined> {
    let record = this.records.get(id);
    if (!record) {
      record = this.store.getRecipe(id);
      this.records.set(id, record);
      record.then(
        (r) => {
          // Only running recipes stay cached: a stopped one may be changed at any time.
          if (r?.status !== 'running') this.records.delete(id);
        },
        () => this.records.delete(id),
      );
    }
    return record;
  }
}
