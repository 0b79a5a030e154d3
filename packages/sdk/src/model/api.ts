/**
 * What the Weft HTTP API answers, as types (SPEC §10): connectors as described, connections,
 * jobs with their steps, pages of lists and a save's warnings. The platform's views are typed by
 * these and the console reads them, so a shape is written once. Pure: no Node imports.
 */
import type { AuthType } from './auth.js';
import type { Field } from './fields.js';
import type { JobStatus, RecipeStatus } from './recipes.js';

/** One page of a list, and the cursor of the next one (`null` on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------
// Connectors (`GET /api/connectors`, `GET /api/connectors/:name`)

/** How a trigger gets its events: it polls, receives webhooks (one URL per connector or per recipe), or both. */
export const TRIGGER_KINDS = ['polling', 'static_webhook', 'dynamic_webhook', 'hybrid'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Static fields come resolved (and as JSON Schema); `dynamic` ones are asked for through `POST /api/connectors/:name/fields`. */
export interface FieldSet {
  dynamic: boolean;
  fields?: readonly Field[];
  schema?: Record<string, unknown>;
}

export interface HelpText {
  body: string;
  learnMoreUrl?: string;
}

/** An operation's `description` and `help`, computed by the server when they are functions. */
export interface OperationTexts {
  description?: string;
  /** The description is a function: it may read the connection and config fields. */
  dynamicDescription?: boolean;
  help?: HelpText;
  /** A `description` or `help` function that failed. */
  problems?: { path: string; message: string }[];
}

/** An action or a trigger as described. */
export interface OperationView extends OperationTexts {
  name: string;
  title: string;
  subtitle?: string;
  deprecated: boolean;
  configFields: FieldSet;
  inputFields: FieldSet;
  outputFields: FieldSet;
}

export interface TriggerView extends OperationView {
  kind: TriggerKind;
}

/** A connector in a list: its operations by name. */
export interface ConnectorSummary {
  name: string;
  title: string;
  description?: string;
  version: number;
  actions: string[];
  triggers: string[];
  /** A built-in connector shipped with the platform (`http`, `schedule`, `webhook`, `util`). */
  builtin?: boolean;
}

/** A connector folder that did not load (`GET /api/connectors` lists these next to the connectors). */
export interface ConnectorProblem {
  folder: string;
  code: string;
  message: string;
}

/** One connector: its authorization, connection fields and operations described. */
export interface ConnectorView extends Omit<ConnectorSummary, 'actions' | 'triggers'> {
  authorization: AuthType;
  /** For a `multi` authorization: each option's name and type (which one a connection uses is decided by the connector). */
  authorizationOptions?: Record<string, AuthType>;
  /** `secureTunnel: true`: a connection may name an agent group that carries its HTTP. */
  secureTunnel: boolean;
  connectionFields: FieldSet;
  actions: OperationView[];
  triggers: TriggerView[];
  pickLists: string[];
}

// ---------------------------------------------------------------------------------------------
// Connections (`/api/connections`)

export interface ConnectionView {
  name: string;
  connector: string;
  /** Secret values are `"[REDACTED]"`. */
  values: Record<string, unknown>;
  /** The agent group that carries its HTTP (connectors with `secureTunnel: true`); absent: direct. */
  agentGroup?: string;
  createdAt: string;
  updatedAt: string;
}

/** A list entry whose values cannot be opened (sealed with another master key): `error` says why. */
export interface SealedConnectionView extends Omit<ConnectionView, 'values'> {
  error: { code: string; message: string };
}

export type ConnectionListItem = ConnectionView | SealedConnectionView;

/** What `POST /api/connections/:name/test` answers. */
export interface ConnectionTestResult {
  ok: boolean;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// On-premises agents (`/api/agents`)

/** An agent as `GET /api/agents` lists it: what an operator sees of it. */
export interface AgentView {
  name: string;
  /** The group a connection picks; its agents share the load and stand in for each other. */
  group: string;
  /** A session of the agent is open and heard from lately. */
  online: boolean;
  lastSeen: string | null;
  /** The version the agent reported when it connected; null before its first session. */
  version: string | null;
  requestsServed: number;
  lastError: string | null;
  connectedAt: string | null;
  createdAt: string;
}

/** What registering (`POST /api/agents`) and rotating an agent answer: its key, shown this once. */
export interface AgentWithKey {
  agent: AgentView;
  /** Weft keeps only its hash. */
  key: string;
}

// ---------------------------------------------------------------------------------------------
// Recipes and jobs (`/api/recipes`, `/api/jobs`)

/** What the server keeps with a recipe besides the recipe itself (a view is the recipe and these). */
export interface RecipeMeta {
  id: string;
  status: RecipeStatus;
  /** The connector versions the recipe is pinned to (those loaded when it was saved). */
  connectorVersions: Record<string, number>;
  /** For webhook triggers: the recipe's own absolute URL. */
  webhookUrl?: string;
  /** For static-webhook triggers: the connector's URL, routed by `webhookKeys`. */
  staticWebhookUrl?: string;
  createdAt: string;
  updatedAt: string;
}

/** A save's warning: output fields that could not be resolved, and the datapills left unchecked. */
export interface RecipeWarning {
  code: 'DATAPILLS_UNCHECKED';
  /** The trigger or step whose output fields could not be resolved (`trigger`, `steps[0]`). */
  path: string;
  message: string;
  /** Each datapill read from those fields, and where in the recipe it is read. */
  datapills: { datapill: string; path: string }[];
}

export interface JobError {
  code: string;
  message: string;
  stepId?: string;
  [key: string]: unknown;
}

export interface JobView {
  id: string;
  recipeId: string;
  status: JobStatus;
  /** The trigger event. */
  trigger: unknown;
  error: JobError | null;
  attempts: number;
  /** The job this one re-runs. */
  rerunOf: string | null;
  /** A pending or suspended job's next run (a retry's back-off, a multistep action's wait). */
  runAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobStepView {
  /** The recipe step's id. */
  id: string;
  /** Order of execution within the job. */
  seq: number;
  status: JobStatus;
  input: unknown;
  output: unknown;
  error: JobError | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  /**
   * The step's `ctx.log` (and `ctx.checkpoint`) lines of its last run, redacted and bounded
   * (docs/jobs.md, "Step logs"); empty when it logged nothing.
   */
  logs: JobLogLine[];
}

/** One `ctx.log` line of a step. */
export interface JobLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** When it was logged (ISO 8601). */
  at: string;
  /** The data logged with it (JSON), when given and within the bound. */
  data?: unknown;
}

export interface JobDetailView extends JobView {
  steps: JobStepView[];
}
