/** `if` / `then` / `else`: the condition picks the branch, which is walked in the same scope. */
import { evaluateCondition } from '../../recipes/formula.js';
import type { IfStep } from '../../recipes/types.js';
import type { Halt, JobRun } from '../run.js';
import { guard } from './guard.js';
import type { Walk } from './types.js';

export async function runIf(
  step: IfStep,
  run: JobRun,
  at: string,
  iteration: string,
  walk: Walk,
): Promise<Halt | undefined> {
  const yes = await guard(step.id, () => evaluateCondition(step.if, run.scope, `${at}.if`));
  if (!yes.ok) return yes.halt;
  const branch = yes.value ? 'then' : 'else';
  return walk(step[branch], run, `${at}.${branch}`, iteration);
}
