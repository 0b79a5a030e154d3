/**
 * The store interface. The embedded implementation is SQLite (sqlite.ts); a PostgreSQL one
 * shares the same queries through Kysely. `contract.ts` is the test suite every implementation
 * must pass.
 *
 * Values are plain data: JSON columns are parsed on the way out, times are ISO-8601 strings.
 * Lists are pages `{ items, nextCursor }`; a cursor is opaque.
 */
import type { JobStatus } from './schema.js';

export type { JobStatus } from './schema.js';
export type RecipeStatus = 'stopped' | 'running';

export interface ConnectorVersion {
  name: string;
  version: number;
  checksum: string;
  origin: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  /** 1 to 1000. */
  limit: number;
  cursor?: string | null;
}

/** What `StoreError.code` says: a unique key taken, or a cursor this store did not hand out. */
export type StoreErrorCode = 'CONFLICT' | 'NOT_FOUND' | 'INVALID_CURSOR';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Connection values as the vault sealed them. */
export interface SealedValues {
  /** base64 of ciphertext ‖ tag. */
  valuesEncrypted: string;
  keyId: string;
  /** base64 of the 12-byte nonce. */
  nonce: string;
}

export interface ConnectionRecord extends SealedValues {
  name: string;
  connector: string;
  createdAt: string;
  updatedAt: string;
}

export interface RecipeRecord {
  id: string;
  name: string;
  /** The validated recipe (trigger, steps, onError, concurrency). */
  definition: unknown;
  status: RecipeStatus;
  connectorVersions: Record<string, number>;
  webhookSecret: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewRecipe {
  name: string;
  definition: unknown;
  connectorVersions: Record<string, number>;
  webhookSecret: string;
}

export interface JobError {
  code: string;
  message: string;
  stepId?: string;
  [key: string]: unknown;
}

export interface JobRecord {
  id: string;
  recipeId: string;
  status: JobStatus;
  trigger: unknown;
  error: JobError | null;
  attempts: number;
  runAt: string | null;
  rerunOf: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobStepRecord {
  jobId: string;
  seq: number;
  stepId: string;
  status: JobStatus;
  input: unknown;
  output: unknown;
  error: JobError | null;
  /** A suspended multistep action's `continue`. */
  state: unknown;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobWithSteps extends JobRecord {
  steps: JobStepRecord[];
}

export type JobPatch = Partial<Pick<JobRecord, 'status' | 'error' | 'attempts' | 'runAt' | 'startedAt' | 'finishedAt'>>;

export interface JobQuery extends PageRequest {
  recipeId?: string;
  status?: JobStatus;
}

export interface NewEvents {
  recipeId: string;
  /** Trigger events, in order: each becomes one job unless its signature was seen. */
  events: readonly unknown[];
  /** `signatures[i]` is the dedup signature of `events[i]`; null or missing: no deduplication. */
  signatures?: ReadonlyArray<string | null | undefined>;
  /** For re-runs: the job whose trigger event this is. */
  rerunOf?: string;
}

export interface PollCommit extends NewEvents {
  /** The poll's `nextPoll`: stored as the new closure; undefined or null keeps the previous one. */
  closure?: unknown;
}

export interface EventsCommitted {
  /** The jobs created, in the order of the events (all `pending`). */
  jobs: JobRecord[];
  /** Events skipped because their signature was seen before (or earlier in the same batch). */
  duplicates: number;
}

export interface PollCommitted extends EventsCommitted {
  /** Consecutive polls without a new job, this one included (0 when it created jobs). */
  emptyPolls: number;
}

export interface TriggerState {
  recipeId: string;
  /** The stored closure; undefined before the first poll that returned one. */
  closure: unknown;
  emptyPolls: number;
  updatedAt: string;
}

export interface WebhookSubscription {
  recipeId: string;
  data: unknown;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface Store {
  // Connector versions
  /** Records a connector's source; returns the existing version when the source is unchanged. */
  putConnectorVersion(input: {
    name: string;
    checksum: string;
    source: string;
    origin: string;
  }): Promise<ConnectorVersion>;
  latestConnectorVersions(): Promise<ConnectorVersion[]>;
  connectorVersions(name: string): Promise<ConnectorVersion[]>;
  connectorSource(name: string, version: number): Promise<string | undefined>;

  // Connections (values sealed by the vault before they reach the store)
  /** Fails with `StoreError('CONFLICT')` when the name is taken. */
  insertConnection(input: { name: string; connector: string } & SealedValues): Promise<ConnectionRecord>;
  getConnection(name: string): Promise<ConnectionRecord | undefined>;
  /** By name. */
  listConnections(page: PageRequest): Promise<Page<ConnectionRecord>>;
  /** Rows sealed with another key than `keyId`: what a key rotation re-seals. */
  connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]>;
  updateConnectionValues(name: string, sealed: SealedValues): Promise<ConnectionRecord | undefined>;
  deleteConnection(name: string): Promise<boolean>;

  // Recipes
  insertRecipe(input: NewRecipe): Promise<RecipeRecord>;
  getRecipe(id: string): Promise<RecipeRecord | undefined>;
  /** Oldest first. */
  listRecipes(query: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeRecord>>;
  updateRecipe(id: string, input: Omit<NewRecipe, 'webhookSecret'>): Promise<RecipeRecord | undefined>;
  setRecipeStatus(id: string, status: RecipeStatus): Promise<RecipeRecord | undefined>;
  /** Deletes the recipe with its jobs, trigger state, signatures and subscription. */
  deleteRecipe(id: string): Promise<boolean>;

  // Jobs
  /**
   * Creates one pending job per event not seen before, and records the signatures, in one
   * transaction (webhook ingress, re-runs). Fails with `StoreError('NOT_FOUND')` for an unknown recipe.
   */
  createJobs(input: NewEvents): Promise<EventsCommitted>;
  /** `createJobs` plus the new closure and the empty-poll count, in the same transaction. */
  commitPoll(input: PollCommit): Promise<PollCommitted>;
  getJob(id: string): Promise<JobWithSteps | undefined>;
  /** Newest first. */
  listJobs(query: JobQuery): Promise<Page<JobRecord>>;
  updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined>;
  /** Inserts or replaces the step `(jobId, seq)`. */
  saveJobStep(step: JobStepRecord): Promise<void>;

  // Trigger state
  getTriggerState(recipeId: string): Promise<TriggerState | undefined>;
  /** Forgets the closure, the empty-poll count and the seen signatures (a recipe started afresh). */
  resetTriggerState(recipeId: string): Promise<void>;
  putWebhookSubscription(input: { recipeId: string; data: unknown; secret: string }): Promise<WebhookSubscription>;
  getWebhookSubscription(recipeId: string): Promise<WebhookSubscription | undefined>;
  deleteWebhookSubscription(recipeId: string): Promise<boolean>;

  close(): Promise<void>;
}
