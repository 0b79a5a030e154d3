/**
 * `foreach`: walks `do` once per element, with the element in scope under `as`. Step ids carry
 * the iteration (`line[2]`), so each element's action records stand on their own.
 */
import { evaluateValue } from '../../recipes/formula.js';
import type { ForeachStep } from '../../recipes/types.js';
import type { Halt, JobRun } from '../run.js';
import { guard } from './guard.js';
import type { Walk } from './types.js';

/** Elements one `foreach` may walk. */
export const MAX_FOREACH_ITEMS = 10_000;

export async function runForeach(
  step: ForeachStep,
  run: JobRun,
  at: string,
  iteration: string,
  walk: Walk,
): Promise<Halt | undefined> {
  const evaluated = await guard(step.id, () => evaluateValue(step.foreach, run.scope, `${at}.foreach`));
  if (!evaluated.ok) return evaluated.halt;
  const value = evaluated.value;
  // JSONata gives a single match as the value itself: a one-element list. Nothing: no element.
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (list.length > MAX_FOREACH_ITEMS) {
    return {
      kind: 'failed',
      error: {
        code: 'FOREACH_TOO_LARGE',
        message: `${at}.foreach gave ${list.length} elements; a foreach walks at most ${MAX_FOREACH_ITEMS}`,
        stepId: step.id,
      },
      retryable: false,
    };
  }
  const had = Object.hasOwn(run.scope, step.as);
  const outer = run.scope[step.as];
  try {
    for (let k = 0; k < list.length; k++) {
      run.scope[step.as] = list[k];
      const halt = await walk(step.do, run, `${at}.do`, `${iteration}[${k}]`);
      if (halt) return halt;
    }
  } finally {
    if (had) run.scope[step.as] = outer;
    else delete run.scope[step.as];
  }
  return undefined;
}
