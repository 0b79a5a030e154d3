/**
 * The journal: what a run writes to the store. Writes are few — one per action step, the last
 * one together with the job's end, never a separate "step started" row — and the writes of
 * concurrent jobs share transactions (`Batcher`). A step's record is durable before the next
 * step starts; the job's running state and attempt are durable before its first step runs, so
 * a step that takes the process down counts an attempt.
 */
import type { JobError, JobPatch, JobProgress, RunStepRecord, Store } from '../store/store.js';
import { Batcher } from '../triggers/batch.js';
import type { JobRun } from './run.js';

export class Journal {
  private readonly writer: Batcher<JobProgress, void>;

  /**
   * `leaseOwner`: the queue on PostgreSQL — every write is fenced by the job's lease (dropped
   * when another process took the job over), and a hand-back makes the job claimable at once.
   */
  constructor(
    store: Pick<Store, 'saveJobProgress'>,
    private readonly leaseOwner?: string,
  ) {
    this.writer = new Batcher<JobProgress, void>(async (writes) => {
      await store.saveJobProgress(writes);
      return writes.map(() => undefined);
    });
  }

  /** Store transactions taken so far (diagnostics). */
  get transactions(): number {
    return this.writer.calls;
  }

  /** Writes what the run has not written yet (records, wait, claim); nothing when nothing is new. */
  async flush(run: JobRun): Promise<void> {
    if (run.pending.length === 0 && run.waitChange === undefined && run.claim === undefined) return;
    const steps = run.pending;
    const wait = run.waitChange;
    const patch = run.claim;
    run.pending = [];
    run.waitChange = undefined;
    run.claim = undefined;
    await this.writer.call({
      jobId: run.job.id,
      steps,
      ...(patch ? { patch } : {}),
      ...(wait === undefined ? {} : { wait }),
      ...this.fence(),
    });
  }

  /** Writes the run's end: its last records with the job's new state. */
  async finish(run: JobRun, patch: JobPatch): Promise<void> {
    const wait = run.waitChange;
    await this.writer.call({
      jobId: run.job.id,
      patch: run.claim ? { ...run.claim, ...patch } : patch,
      steps: run.pending,
      ...(wait === undefined ? {} : { wait }),
      ...this.fence(),
    });
    run.pending = [];
    run.waitChange = undefined;
    run.claim = undefined;
  }

  /**
   * A graceful stop between steps: the job stays `running` and the next start's claim counts a
   * new attempt, so this one is handed back (only a stop in the middle of a step counts). A
   * claim never written leaves the job as it is stored (pending): nothing to hand back.
   */
  async handBack(run: JobRun): Promise<void> {
    if (this.leaseOwner !== undefined) {
      // On a cluster the job goes back to the queue (its lease cleared, the trigger wakes the
      // workers): pending with this attempt given back, or suspended — its claim kept the attempt.
      run.claim = run.resumed
        ? { status: 'suspended', runAt: null }
        : { status: 'pending', attempts: run.job.attempts - 1, runAt: null };
    } else run.claim = run.claim === undefined ? { attempts: run.job.attempts - 1 } : undefined;
    await this.flush(run);
  }

  private fence(): { leaseOwner?: string } {
    return this.leaseOwner === undefined ? {} : { leaseOwner: this.leaseOwner };
  }
}

/** The record of a step failed before it ran (`SERVER_STOPPED`). */
export function failedBeforeRun(
  run: JobRun,
  seq: number,
  stepId: string,
  record: RunStepRecord | undefined,
  error: JobError,
  at: string,
): RunStepRecord {
  return {
    jobId: run.job.id,
    seq,
    stepId,
    status: 'failed',
    input: record?.input ?? null,
    output: null,
    fullOutput: undefined,
    error,
    state: record?.state ?? undefined,
    attempts: record?.attempts ?? 0,
    startedAt: record?.startedAt ?? at,
    finishedAt: at,
    logs: record?.logs ?? null,
  };
}
