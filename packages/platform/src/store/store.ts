/**
 * The store interface. The embedded implementation is SQLite (sqlite.ts); a PostgreSQL one
 * shares the same queries through Kysely. `contract.ts` is the test suite every implementation
 * must pass.
 *
 * Values are plain data: JSON columns are parsed on the way out, times are ISO-8601 strings.
 * Lists are pages `{ items, nextCursor }`; a cursor is opaque.
 */
import type { RecipeStatus } from '@weft/sdk/model';
import type { JobStatus } from './schema.js';

export type { RecipeStatus } from '@weft/sdk/model';
export type { JobStatus } from './schema.js';

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

/** What the queue needs to recover a job after a restart: no trigger, no steps. */
export interface UnfinishedJob {
  id: string;
  recipeId: string;
  status: JobStatus;
  runAt: string | null;
}

/** A step record as the job engine reads and writes it. */
export interface RunStepRecord extends JobStepRecord {
  /**
   * The output before summarization, given only when `output` is summarized: what later steps
   * read when the job resumes after a restart. Never shown by the API.
   */
  fullOutput?: unknown;
}

/** The call that resumed a job waiting in `waitForResume` (secret-free headers). */
export interface ResumeCall {
  payload: unknown;
  headers: Record<string, string>;
}

/** The wait of a job suspended by `waitForResume`. */
export interface JobWait {
  jobId: string;
  /** The waiting step. */
  seq: number;
  /** SHA-256 (hex) of the resume URL's token. */
  tokenHash: string;
  /** The call that resumed the job; null while it waits (and when it timed out). */
  resume: ResumeCall | null;
  createdAt: string;
}

/** What `startJobs` found for one job. */
export type JobStart =
  /** No such job, or it is finished: nothing to run. */
  | { kind: 'gone' }
  /** Pending or suspended until `runAt` (a retry's back-off, a multistep sleep, a wait). */
  | { kind: 'notDue'; runAt: string }
  /**
   * Claimed: the job as it runs now (`running`, its attempt, `startedAt`), its step records
   * (with full outputs) and its wait, if any. `resumed`: it was suspended, so this run goes on
   * with the same attempt. `unwritten`: that running state is not stored yet — the caller
   * writes `{ status, attempts, startedAt }` with its first write (see `startJobs`).
   */
  | {
      kind: 'started';
      job: JobRecord;
      resumed: boolean;
      unwritten: boolean;
      steps: RunStepRecord[];
      wait: JobWait | null;
    };

/** One job's writes in `saveJobProgress`. */
export interface JobProgress {
  jobId: string;
  patch?: JobPatch;
  /** Inserted or replaced by `(jobId, seq)`. */
  steps?: readonly RunStepRecord[];
  /** Starts a wait (replacing an earlier one, not yet resumed); null ends it. */
  wait?: { seq: number; tokenHash: string } | null;
}

/** Why the last poll of a recipe failed (kept until a poll succeeds). */
export interface PollError {
  code: string;
  message: string;
  at: string;
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
  /** The last poll's failure; null once a poll succeeds. */
  lastPollError: PollError | null;
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
  /**
   * Several `createJobs` in one transaction (group commit: the webhook ingress coalesces
   * concurrent requests into one write). Inputs are applied in order, so an event repeated in a
   * later input of the same recipe is a duplicate. All or nothing: an unknown recipe fails the
   * whole call with `StoreError('NOT_FOUND')` and nothing is written.
   */
  createJobsMany(inputs: readonly NewEvents[]): Promise<EventsCommitted[]>;
  /** `createJobs` plus the new closure and the empty-poll count, in the same transaction. */
  commitPoll(input: PollCommit): Promise<PollCommitted>;
  getJob(id: string): Promise<JobWithSteps | undefined>;
  /** Newest first. */
  listJobs(query: JobQuery): Promise<Page<JobRecord>>;
  updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined>;
  /** Inserts or replaces the step `(jobId, seq)`. */
  saveJobStep(step: JobStepRecord): Promise<void>;

  // The job engine
  /** Jobs `pending`, `running` or `suspended`, oldest first: what the queue recovers on start. */
  unfinishedJobs(): Promise<UnfinishedJob[]>;
  /**
   * Claims jobs to run them, in one transaction; one result per id, in order. A finished or
   * missing job is `gone`; a pending or suspended one whose `runAt` is after `at` is `notDue`;
   * otherwise it runs now: `running`, `attempts` + 1 unless it was suspended, `startedAt` kept
   * or set to `at`, `runAt` cleared — returned with its step records and wait.
   *
   * Suspended and running jobs are marked so in the transaction (a resume call races with the
   * claim of a suspended job). A pending job is only read (`unwritten`): its running state
   * goes with the engine's first write, one write less per job; a crash before that write
   * leaves it pending, to be run again.
   */
  startJobs(ids: readonly string[], at: string): Promise<JobStart[]>;
  /**
   * The engine's writes for several jobs in one transaction (group commit). All or nothing: a
   * step of a job that no longer exists fails the whole call.
   */
  saveJobProgress(writes: readonly JobProgress[]): Promise<void>;
  /**
   * Delivers the call that resumes a job waiting in `waitForResume`: only when the job is
   * `suspended`, its wait's token hash matches and it was not resumed before. Sets `runAt` to
   * now and returns the job; otherwise undefined (nothing changes).
   */
  resumeJob(input: { jobId: string; tokenHash: string; resume: ResumeCall }): Promise<JobRecord | undefined>;
  /**
   * Deletes up to `limit` finished jobs (`succeeded`, `failed`, `stopped`) that were created
   * and finished before `before`, oldest first, with their steps and waits. Returns how many.
   */
  deleteFinishedJobs(input: { before: string; limit: number }): Promise<number>;
  /** Keeps the closure and counters; `commitPoll` clears the error. */
  recordPollError(recipeId: string, error: PollError): Promise<void>;

  // Trigger state
  getTriggerState(recipeId: string): Promise<TriggerState | undefined>;
  /** Forgets the closure, the empty-poll count and the seen signatures (a recipe started afresh). */
  resetTriggerState(recipeId: string): Promise<void>;
  putWebhookSubscription(input: { recipeId: string; data: unknown; secret: string }): Promise<WebhookSubscription>;
  getWebhookSubscription(recipeId: string): Promise<WebhookSubscription | undefined>;
  deleteWebhookSubscription(recipeId: string): Promise<boolean>;

  close(): Promise<void>;
}
