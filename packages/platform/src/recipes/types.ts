/**
 * The recipe format (SPEC §10), as stored after validation (defaults filled in).
 */

export interface RecipeTrigger {
  connector: string;
  /** Omitted only for connectors without a connection. */
  connection?: string;
  trigger: string;
  input: Record<string, unknown>;
  /** Polling interval; default 300, at least 1. */
  pollIntervalSeconds: number;
}

export interface ActionStep {
  id: string;
  connector: string;
  connection?: string;
  action: string;
  /** Values, formulas (`=expr`) and templates (`{{ expr }}`). */
  input: Record<string, unknown>;
}

export interface IfStep {
  id: string;
  /** `=expr`, or a boolean. */
  if: string | boolean;
  then: Step[];
  else: Step[];
}

export interface ForeachStep {
  id: string;
  /** `=expr` giving a list. */
  foreach: string;
  /** The name each element has in formulas inside `do` (default `item`). */
  as: string;
  do: Step[];
}

export interface StopStep {
  id: string;
  /** `error: true` ends the job as failed (with `message`), false as succeeded. */
  stop: { error: boolean; message?: string };
}

export type Step = ActionStep | IfStep | ForeachStep | StopStep;

export interface Recipe {
  name: string;
  trigger: RecipeTrigger;
  steps: Step[];
  /** Steps run when a step fails; formulas there also see `error`. */
  onError: Step[];
  /** Jobs of this recipe run at once (default 1: one at a time, in order). */
  concurrency: number;
}

export const isActionStep = (s: Step): s is ActionStep => 'action' in s;
export const isIfStep = (s: Step): s is IfStep => 'if' in s;
export const isForeachStep = (s: Step): s is ForeachStep => 'foreach' in s;
export const isStopStep = (s: Step): s is StopStep => 'stop' in s;
