/**
 * The interpreter: walks a recipe's steps for one run — in order, one module per step kind
 * (action, if, foreach, stop), then, after a failure for good, the recipe's `onError` steps.
 * It writes nothing itself but the records an action must make durable before it runs (the
 * journal); the engine writes the run's end.
 *
 * To add a step kind: a type guard in recipes/types.ts, a module here, a branch in `walk`.
 */
import { isActionStep, isForeachStep, isIfStep, isStopStep, type Step } from '../../recipes/types.js';
import { classifyError } from '../job-errors.js';
import type { Halt, JobRun } from '../run.js';
import { retries } from '../status.js';
import { runAction } from './action.js';
import { runForeach } from './foreach.js';
import { runIf } from './if.js';
import { runOnError } from './on-error.js';
import { runStop } from './stop.js';
import type { ActionDeps } from './types.js';

export class Interpreter {
  constructor(private readonly deps: ActionDeps) {}

  /** The recipe's steps, then, after a failure for good, its `onError` steps. */
  async interpret(run: JobRun): Promise<Halt | undefined> {
    let halt: Halt | undefined;
    try {
      halt = await this.walk(run.definition.steps, run, 'steps', '');
    } catch (thrown) {
      // A fault of the engine's own (not of a step): the job fails with it.
      halt = { kind: 'failed', ...classifyError(thrown, undefined), retryable: false };
    }
    if (halt?.kind !== 'failed') return halt;
    if (retries(halt, run.job.attempts, this.deps.options)) return halt;
    return runOnError(run, halt.error, this.walk);
  }

  private readonly walk = async (
    steps: readonly Step[],
    run: JobRun,
    path: string,
    iteration: string,
  ): Promise<Halt | undefined> => {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const at = `${path}[${i}]`;
      let halt: Halt | undefined;
      if (isActionStep(step)) halt = await runAction(step, run, at, iteration, this.deps);
      else if (isIfStep(step)) halt = await runIf(step, run, at, iteration, this.walk);
      else if (isForeachStep(step)) halt = await runForeach(step, run, at, iteration, this.walk);
      else if (isStopStep(step)) return runStop(step, run, at);
      if (halt) return halt;
    }
    return undefined;
  };
}
