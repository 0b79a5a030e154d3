/**
 * The recipe's `onError` steps, walked once a step has failed for good; they see the failure as
 * `error`. The job stays failed with the step's error — unless those steps end with
 * `stop: { error: false }` (handled) or `stop: { error: true }` (their own error).
 */
import type { JobError } from '../../store/store.js';
import { classifyError } from '../job-errors.js';
import type { Halt, JobRun } from '../run.js';
import type { Walk } from './types.js';

export async function runOnError(run: JobRun, error: JobError, walk: Walk): Promise<Halt> {
  const failed: Halt = { kind: 'failed', error, retryable: false };
  if (run.definition.onError.length === 0) return failed;
  run.scope.error = error;
  let halt: Halt | undefined;
  try {
    halt = await walk(run.definition.onError, run, 'onError', '');
  } catch (thrown) {
    halt = { kind: 'failed', ...classifyError(thrown, undefined), retryable: false };
  }
  if (!halt) return failed;
  if (halt.kind === 'failed') return { kind: 'failed', error: { ...error, onError: halt.error }, retryable: false };
  return halt;
}
