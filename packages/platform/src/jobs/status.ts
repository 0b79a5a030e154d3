/**
 * The job's status after a run, as a pure function of how the walk ended (see docs/jobs.md):
 *
 *     walked through, or `stop` without error      → succeeded
 *     `stop` with error, or failed for good        → failed
 *     failed, retryable, attempts left             → pending, at now + base · 2^(attempts-1)
 *     suspended (multistep, wait for resume)       → suspended, at the step's time
 *     interrupted (the server is closing)          → stays running (its attempt handed back)
 *
 * No store and no clock: the engine passes the instant in, so the rules test on their own.
 */
import type { JobPatch } from '../store/store.js';
import type { Halt } from './run.js';

/** What became of a run; `later`: queue the job again at `runAt` (epoch ms). */
export type RunOutcome =
  | { kind: 'gone' }
  | { kind: 'finished'; status: 'succeeded' | 'failed' }
  | { kind: 'later'; status: 'pending' | 'suspended'; runAt: number }
  /** The server is closing: the job stays `running` and goes on from its next step at the next start. */
  | { kind: 'interrupted' };

export interface RetryPolicy {
  /** Attempts of a job (`WEFT_JOB_MAX_ATTEMPTS`). */
  jobMaxAttempts: number;
  /** First retry delay; doubles per attempt (`WEFT_JOB_RETRY_BASE_MS`). */
  jobRetryBaseMs: number;
}

/** The job's next state: the patch to write with the run's last records, and the outcome. */
export type Transition =
  | { kind: 'write'; patch: JobPatch; outcome: Exclude<RunOutcome, { kind: 'gone' | 'interrupted' }> }
  | { kind: 'interrupted' };

/** Whether a failed run goes on to another attempt (else the `onError` steps run, then it fails). */
export function retries(halt: Halt, attempts: number, policy: Pick<RetryPolicy, 'jobMaxAttempts'>): boolean {
  return halt.kind === 'failed' && halt.retryable && attempts < policy.jobMaxAttempts;
}

/** Back-off doubles per attempt: base, 2·base, 4·base, ... */
export function retryDelayMs(attempts: number, policy: Pick<RetryPolicy, 'jobRetryBaseMs'>): number {
  return policy.jobRetryBaseMs * 2 ** (attempts - 1);
}

/** `at` is `now` as ISO text (the engine keeps both). */
export function transition(
  halt: Halt | undefined,
  attempts: number,
  policy: RetryPolicy,
  now: number,
  at: string,
): Transition {
  if (!halt || (halt.kind === 'stop' && !halt.error)) {
    return {
      kind: 'write',
      patch: { status: 'succeeded', error: null, finishedAt: at, runAt: null },
      outcome: { kind: 'finished', status: 'succeeded' },
    };
  }
  if (halt.kind === 'stop' || (halt.kind === 'failed' && !retries(halt, attempts, policy))) {
    const error = halt.kind === 'stop' ? halt.error! : halt.error;
    return {
      kind: 'write',
      patch: { status: 'failed', error, finishedAt: at, runAt: null },
      outcome: { kind: 'finished', status: 'failed' },
    };
  }
  if (halt.kind === 'failed') {
    const runAt = now + retryDelayMs(attempts, policy);
    return {
      kind: 'write',
      patch: { status: 'pending', error: halt.error, runAt: new Date(runAt).toISOString() },
      outcome: { kind: 'later', status: 'pending', runAt },
    };
  }
  if (halt.kind === 'suspended') {
    return {
      kind: 'write',
      patch: { status: 'suspended', runAt: new Date(halt.runAt).toISOString() },
      outcome: { kind: 'later', status: 'suspended', runAt: halt.runAt },
    };
  }
  return { kind: 'interrupted' };
}
