/**
 * The store: one repository per aggregate, each a small interface in its own module, and
 * `Store`, all of them together. The embedded implementation is SQLite (sqlite.ts); a
 * PostgreSQL one shares the same queries through Kysely (kysely.ts composes them).
 * `contract.ts` is the test suite every implementation must pass.
 *
 * Code that needs one aggregate takes its repository (`RecipeRepository`, `JobRunRepository`, …);
 * a `Store` is each of them.
 *
 * Values are plain data: JSON columns are parsed on the way out, times are ISO-8601 strings.
 * Lists are pages `{ items, nextCursor }`; a cursor is opaque.
 */
import type { AgentRepository } from './agents.js';
import type { ConnectionRepository } from './connections.js';
import type { ConnectorRepository } from './connectors.js';
import type { PgJobClaims } from './job-claims.js';
import type { JobRunRepository } from './job-runs.js';
import type { JobRepository } from './jobs.js';
import type { McpTokenRepository } from './mcp-tokens.js';
import type { OAuthStateRepository } from './oauth-states.js';
import type { RecipeRepository } from './recipes.js';
import type { SubscriptionRepository } from './subscriptions.js';
import type { TriggerStateRepository } from './trigger-state.js';

export type { AgentPresence, AgentRecord, AgentRepository, AgentSeen } from './agents.js';
export type { Page, PageRequest, StoreErrorCode } from './common.js';
export { StoreError } from './common.js';
export type { ConnectionRecord, ConnectionRepository, LockedConnection, SealedValues } from './connections.js';
export { CONNECTION_LOCK_WAIT_MS } from './connections.js';
export type { ConnectorRepository, ConnectorVersion } from './connectors.js';
export type { EventsCommitted, NewEvents } from './events.js';
export type { JobRunRepository } from './job-runs.js';
export type {
  JobError,
  JobPatch,
  JobProgress,
  JobQuery,
  JobRecord,
  JobStart,
  JobStatus,
  JobStepRecord,
  JobWait,
  JobWithSteps,
  ResumeCall,
  RunStepRecord,
  UnfinishedJob,
} from './job-types.js';
export type { JobRepository } from './jobs.js';
export type { McpTokenRecord, McpTokenRepository } from './mcp-tokens.js';
export type { OAuthState, OAuthStateRepository, TakenOAuthState } from './oauth-states.js';
export type { NewRecipe, RecipeRecord, RecipeRepository, RecipeStatus } from './recipes.js';
export type { SubscriptionRepository, WebhookSubscriptionRecord } from './subscriptions.js';
export type { PollCommit, PollCommitted, PollError, TriggerState, TriggerStateRepository } from './trigger-state.js';

/**
 * Every repository over one database. Writes that span aggregates are single methods, each one
 * transaction: `createJobs`/`createJobsMany` (jobs with their seen signatures), `commitPoll`
 * (with the closure too), `deleteRecipe` (with everything of the recipe).
 */
export interface Store
  extends ConnectorRepository,
    ConnectionRepository,
    RecipeRepository,
    JobRepository,
    JobRunRepository,
    TriggerStateRepository,
    SubscriptionRepository,
    OAuthStateRepository,
    AgentRepository,
    McpTokenRepository {
  /**
   * The claims of the queue on PostgreSQL (leases, `FOR UPDATE SKIP LOCKED`); absent on the
   * embedded store, whose one process queues in memory.
   */
  readonly jobClaims?: PgJobClaims;
  /** Undefined when the database answers and its migrations are all applied; else why not. */
  notReady(): Promise<string | undefined>;
  close(): Promise<void>;
}
