/**
 * One run of one job, as the interpreter walks it: the claimed job, its recipe, the records of
 * earlier runs, the formula scope, and what this run has not written yet (the journal writes it).
 */
import type { Scope } from '../recipes/formula.js';
import type { Recipe } from '../recipes/types.js';
import type { JobError, JobPatch, JobRecord, JobWait, RecipeRecord, RunStepRecord } from '../store/store.js';

/** What a suspended (or failed) action step keeps in its record's `state`. */
export interface StepState {
  /** The `continue` of `reinvokeAfter` or `waitForResume`. */
  continue: unknown;
  /** Re-invocations so far (at most `MAX_REINVOCATIONS`). */
  reinvocations: number;
  /** Suspended by `waitForResume` (runs again with `ctx.resume`). */
  waiting?: boolean;
}

/** Why the walk through the steps ended early (undefined: it went through every step). */
export type Halt =
  | { kind: 'stop'; error?: JobError }
  | { kind: 'failed'; error: JobError; retryable: boolean }
  | { kind: 'suspended'; runAt: number }
  | { kind: 'interrupted' };

export class JobRun {
  seq = 0;
  /** Step records not yet written. */
  pending: RunStepRecord[] = [];
  /** A wait started (or ended: null) by this run, not yet written. */
  waitChange: { seq: number; tokenHash: string } | null | undefined;
  /** Token hash minted for a step of this run, by seq. */
  readonly minted = new Map<number, string>();
  /** The job's running state when the claim did not write it: it goes before the first step. */
  claim: JobPatch | undefined;
  /** Found `running` past its attempts: the server stopped in a step each time; run no step. */
  stoppedTooOften = false;
  readonly scope: Scope;

  constructor(
    readonly job: JobRecord,
    readonly recipe: RecipeRecord,
    readonly definition: Recipe,
    /** The job was suspended: same attempt, its failed records stand. */
    readonly resumed: boolean,
    readonly records: Map<number, RunStepRecord>,
    readonly wait: JobWait | null,
  ) {
    this.scope = { trigger: job.trigger, steps: {} };
  }
}
