/**
 * What the Weft HTTP API sends and accepts (SPEC §10; packages/platform/src/api/describe.ts).
 */

import type {
  ConnectionView,
  ConnectorProblem,
  ConnectorSummary,
  HttpExchangeLog,
  PickListOption as OptionPair,
  Page,
  RecipeInput,
  RecipeMeta,
  RecipeWarning,
  SealedConnectionView,
  TreeOption,
} from '@weft/sdk/model';

/**
 * The shapes the API answers are the SDK's (`@weft/sdk/model`, SPEC §2, §10): the platform's
 * views are typed by the same definitions. The console's names for them follow.
 */
export type {
  AgentView as Agent,
  AgentWithKey,
  ConnectionTestResult as TestResult,
  ConnectorProblem,
  ConnectorSummary,
  ConnectorView as ConnectorDetail,
  ControlType,
  Field,
  FieldSet,
  FieldType,
  HttpExchangeLog as HttpExchange,
  JobDetailView as JobDetail,
  JobError,
  JobStepView as JobStep,
  JobView as JobSummary,
  OperationView as Operation,
  Page,
  RecipeWarning,
  TriggerKind,
  TriggerView as TriggerOperation,
} from '@weft/sdk/model';

/** A pick list's options: `[label, value]`, or for trees `[label, value, childPath, hasChildren]`. */
export type PickListOption = OptionPair | TreeOption;

export interface ConnectorList extends Page<ConnectorSummary> {
  problems?: ConnectorProblem[];
}

/** A connection as listed or fetched: its values, or (in lists) why they cannot be opened. */
export type Connection = Omit<ConnectionView, 'values'> &
  Partial<Pick<ConnectionView, 'values'> & Pick<SealedConnectionView, 'error'>>;

/**
 * Recipes as written and the statuses of recipes and jobs are the SDK's (`@weft/sdk/model`,
 * SPEC §10). The builder edits recipes as written: defaults may be left out.
 */
export type {
  ActionStep,
  ForeachStepInput as ForeachStep,
  IfStepInput as IfStep,
  JobStatus,
  RecipeInput,
  RecipeStatus,
  RecipeTriggerInput as RecipeTrigger,
  StepInput as Step,
  StopStep,
} from '@weft/sdk/model';
export { JOB_STATUSES } from '@weft/sdk/model';

/** A recipe as the API answers it, edited as written (`RecipeInput`). */
export interface Recipe extends RecipeInput, RecipeMeta {}

/** What `POST` and `PUT /api/recipes` answer. */
export interface SavedRecipe extends Recipe {
  warnings?: RecipeWarning[];
}

export interface RunResult {
  output?: unknown;
  reinvokeAfter?: { seconds: number; continue: unknown };
  exchanges: HttpExchangeLog[];
}

/** Body of `POST /api/connectors/:name/fields`. */
export interface FieldsRequest {
  connection?: string;
  action?: string;
  trigger?: string;
  kind?: 'input' | 'output' | 'config' | 'description';
  configFields?: Record<string, unknown>;
  pickList?: string;
  args?: Record<string, unknown>;
}

export interface ApiErrorBody {
  error: { code: string; message: string; path?: string };
  exchanges?: HttpExchangeLog[];
}
