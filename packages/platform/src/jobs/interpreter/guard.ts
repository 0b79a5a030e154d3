/** A formula outside an action's input (a condition, a list, a message): its failure fails the job at that step. */
import { classifyError } from '../job-errors.js';
import type { Halt } from '../run.js';

export type Guarded<T> = { ok: true; value: T } | { ok: false; halt: Halt };

export async function guard<T>(stepId: string, evaluate: () => Promise<T>): Promise<Guarded<T>> {
  try {
    return { ok: true, value: await evaluate() };
  } catch (thrown) {
    return { ok: false, halt: { kind: 'failed', ...classifyError(thrown, stepId), retryable: false } };
  }
}
