/** `stop`: ends the job; succeeded, or failed with `STOPPED` and the step's message when `error` is true. */
import { evaluateValue } from '../../recipes/formula.js';
import type { StopStep } from '../../recipes/types.js';
import type { Halt, JobRun } from '../run.js';
import { guard } from './guard.js';

export async function runStop(step: StopStep, run: JobRun, at: string): Promise<Halt> {
  if (!step.stop.error) return { kind: 'stop' };
  const message =
    step.stop.message === undefined
      ? { ok: true as const, value: undefined }
      : await guard(step.id, () => evaluateValue(step.stop.message, run.scope, `${at}.stop.message`));
  if (!message.ok) return message.halt;
  const value = message.value;
  const text = value === undefined || value === null || value === '' ? undefined : String(value);
  return {
    kind: 'stop',
    error: { code: 'STOPPED', message: text ?? `The job was stopped by step "${step.id}"`, stepId: step.id },
  };
}
