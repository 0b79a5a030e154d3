/**
 * What the Weft HTTP API sends and accepts (SPEC §10; packages/platform/src/api/describe.ts).
 */

import type { AuthType, ControlType, FieldType, JobStatus, RecipeInput, RecipeStatus } from '@weft/sdk/model';

/** The field and control types are the SDK's (`@weft/sdk/model`, SPEC §2). */
export type { ControlType, FieldType };

/** `[label, value]`, or for trees `[label, value, childPath, hasChildren]`. */
export type PickListOption = readonly [string, unknown, ...unknown[]];

export interface Field {
  name: string;
  label?: string;
  hint?: string;
  type?: FieldType;
  of?: Exclude<FieldType, 'array'>;
  properties?: readonly Field[];
  optional?: boolean;
  controlType?: ControlType;
  pickList?: string | readonly PickListOption[];
  pickListParams?: Readonly<Record<string, string>>;
  options?: readonly PickListOption[];
  delimiter?: string;
  toggleHint?: string;
  toggleField?: Field;
  default?: unknown;
  sticky?: boolean;
  extendsSchema?: boolean;
  ngIf?: string;
  listMode?: 'static' | 'dynamic';
  itemLabel?: string;
  custom?: boolean;
  supportPills?: boolean;
}

/** Static fields come resolved; `dynamic` ones are asked for through `POST /api/connectors/:name/fields`. */
export interface FieldSet {
  dynamic: boolean;
  fields?: Field[];
}

export interface Operation {
  name: string;
  title: string;
  subtitle?: string;
  description?: string;
  /** `help` of the operation (a function's result, computed by the server). */
  help?: { body: string; learnMoreUrl?: string };
  /** The description is a function: it may read the connection and config fields. */
  dynamicDescription?: boolean;
  /** A `description` or `help` function that failed. */
  problems?: { path: string; message: string }[];
  deprecated: boolean;
  configFields: FieldSet;
  inputFields: FieldSet;
  outputFields: FieldSet;
}

export type TriggerKind = 'polling' | 'static_webhook' | 'dynamic_webhook' | 'hybrid';

export interface TriggerOperation extends Operation {
  kind: TriggerKind;
}

export interface ConnectorSummary {
  name: string;
  title?: string;
  description?: string;
  version: number;
  actions: string[];
  triggers: string[];
}

export interface ConnectorProblem {
  folder: string;
  code: string;
  message: string;
}

export interface ConnectorList {
  items: ConnectorSummary[];
  nextCursor: string | null;
  problems?: ConnectorProblem[];
}

export interface ConnectorDetail extends Omit<ConnectorSummary, 'actions' | 'triggers'> {
  authorization: AuthType;
  connectionFields: FieldSet;
  actions: Operation[];
  triggers: TriggerOperation[];
  pickLists: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Connection {
  name: string;
  connector: string;
  values?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** Set when the stored values cannot be opened (another master key). */
  error?: { code: string; message: string };
}

export interface TestResult {
  ok: boolean;
  message: string;
}

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

export interface Recipe extends RecipeInput {
  id: string;
  status: RecipeStatus;
  connectorVersions: Record<string, number>;
  webhookUrl?: string;
  staticWebhookUrl?: string;
  createdAt: string;
  updatedAt: string;
}

/** Datapills a save could not check: the output fields of `path` did not resolve. */
export interface RecipeWarning {
  code: string;
  path: string;
  message: string;
  datapills: { datapill: string; path: string }[];
}

/** What `POST` and `PUT /api/recipes` answer. */
export interface SavedRecipe extends Recipe {
  warnings?: RecipeWarning[];
}

export interface JobError {
  code?: string;
  message: string;
  stepId?: string;
  [key: string]: unknown;
}

export interface JobSummary {
  id: string;
  recipeId: string;
  status: JobStatus;
  error?: JobError | null;
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  rerunOf?: string | null;
  trigger?: unknown;
}

export interface JobStep {
  id: string;
  status: JobStatus;
  input?: unknown;
  output?: unknown;
  error?: JobError | string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  attempts?: number;
}

export interface JobDetail extends JobSummary {
  trigger: unknown;
  steps: JobStep[];
}

export interface HttpExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  durationMs: number;
  attempt: number;
  error?: string;
}

export interface RunResult {
  output?: unknown;
  reinvokeAfter?: { seconds: number; continue: unknown };
  exchanges: HttpExchange[];
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
  exchanges?: HttpExchange[];
}
