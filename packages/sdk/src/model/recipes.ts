/**
 * The recipe format of SPEC §10 and the statuses of recipes and jobs. Two shapes: a recipe as
 * written (`RecipeInput`: defaults may be left out, the console's builder edits this one) and as
 * stored after validation (`Recipe`: defaults filled in, the platform runs this one). Pure: no
 * Node imports.
 */

/** The kinds of step a recipe is made of; a step's kind is the key it carries (`action`, `if`, …). */
export const STEP_KINDS = ['action', 'if', 'foreach', 'stop'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** A recipe is `running` (its trigger fires) or `stopped`. */
export const RECIPE_STATUSES = ['running', 'stopped'] as const;
export type RecipeStatus = (typeof RECIPE_STATUSES)[number];

export const JOB_STATUSES = ['pending', 'running', 'suspended', 'succeeded', 'failed', 'stopped'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The statuses a job does not leave (a rerun makes a new job). */
export const FINISHED_JOB_STATUSES = ['succeeded', 'failed', 'stopped'] as const satisfies readonly JobStatus[];

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
  /**
   * Wall-time limit of one run of the action in its connector host, in seconds (default
   * `WEFT_CONNECTOR_TIMEOUT_SECONDS`, 300); at most 3600.
   */
  timeoutSeconds?: number;
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

/** A recipe as stored: validated, defaults filled in. */
export interface Recipe {
  name: string;
  trigger: RecipeTrigger;
  steps: Step[];
  /** Steps run when a step fails; formulas there also see `error`. */
  onError: Step[];
  /** Jobs of this recipe run at once (default 1: one at a time, in order). */
  concurrency: number;
}

// As written: the same shapes with their defaults optional.

export interface RecipeTriggerInput extends Omit<RecipeTrigger, 'pollIntervalSeconds'> {
  pollIntervalSeconds?: number;
}

export interface IfStepInput extends Omit<IfStep, 'then' | 'else'> {
  then: StepInput[];
  else: StepInput[];
}

export interface ForeachStepInput extends Omit<ForeachStep, 'as' | 'do'> {
  as?: string;
  do: StepInput[];
}

export type StepInput = ActionStep | IfStepInput | ForeachStepInput | StopStep;

export interface RecipeInput {
  name: string;
  trigger: RecipeTriggerInput;
  steps: StepInput[];
  onError?: StepInput[];
  concurrency?: number;
}

// The guards work on either shape and narrow to the matching member of it.
export const isActionStep = <S extends StepInput>(s: S): s is Extract<S, { action: string }> => 'action' in s;
export const isIfStep = <S extends StepInput>(s: S): s is Extract<S, { if: unknown }> => 'if' in s;
export const isForeachStep = <S extends StepInput>(s: S): s is Extract<S, { foreach: string }> => 'foreach' in s;
export const isStopStep = <S extends StepInput>(s: S): s is Extract<S, { stop: unknown }> => 'stop' in s;

export function stepKind(step: StepInput): StepKind {
  if (isActionStep(step)) return 'action';
  if (isIfStep(step)) return 'if';
  if (isForeachStep(step)) return 'foreach';
  return 'stop';
}
