/**
 * A multistep action that suspended itself (SPEC §5): `reinvokeAfter` runs it again after its
 * seconds (at least `WEFT_REINVOKE_MIN_SECONDS`); `waitForResume` waits for a call to its
 * resume URL, or its timeout. At most `MAX_REINVOCATIONS` in a row.
 */
import type { ExecuteResult } from '@weft/sdk/runtime';
import type { JobError } from '../../store/store.js';
import type { JobRun, StepState } from '../run.js';
import type { ActionDeps } from './types.js';

/** Re-invocations of one multistep action (SPEC §5). */
export const MAX_REINVOCATIONS = 100;

type Suspended = Extract<ExecuteResult, { kind: 'suspended' | 'waiting' }>;

/** The step's next state and when it runs again, or the failure past the limit. */
export function suspension(
  result: Suspended,
  run: JobRun,
  seq: number,
  stepId: string,
  state: StepState | null | undefined,
  deps: Pick<ActionDeps, 'tokens' | 'clock' | 'options'>,
): { kind: 'later'; next: StepState; runAt: number } | { kind: 'failed'; error: JobError; retryable: false } {
  const reinvocations = (state?.reinvocations ?? 0) + 1;
  if (reinvocations > MAX_REINVOCATIONS) {
    return {
      kind: 'failed',
      error: {
        code: 'MULTISTEP_LIMIT',
        message: `The action suspended itself more than ${MAX_REINVOCATIONS} times`,
        stepId,
      },
      retryable: false,
    };
  }
  if (result.kind === 'suspended') {
    const seconds = Math.max(result.reinvokeAfter.seconds, deps.options.reinvokeMinSeconds);
    if (run.wait?.seq === seq) run.waitChange = null;
    return {
      kind: 'later',
      next: { continue: result.reinvokeAfter.continue, reinvocations },
      runAt: deps.clock.now() + seconds * 1000,
    };
  }
  // A URL no one read cannot be called, but the wait still needs a token to match against.
  if (!run.minted.has(seq)) deps.tokens.mint(run.job.id, seq, run.minted);
  run.waitChange = { seq, tokenHash: run.minted.get(seq)! };
  return {
    kind: 'later',
    next: { continue: result.waitForResume.continue, reinvocations, waiting: true },
    runAt: deps.clock.now() + result.waitForResume.timeoutSeconds * 1000,
  };
}
