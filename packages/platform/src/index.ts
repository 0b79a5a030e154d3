/**
 * @weft/platform: the runtime behind `weft serve`.
 */
export { AgentDispatcher } from './agents/dispatcher.js';
export { AgentHub } from './agents/hub.js';
export { Agents, type AgentView, type AgentWithKey, hashAgentKey } from './agents/service.js';
export type { AgentRequest, AgentResponse } from './agents/session.js';
export { type AppOptions, buildApp, VERSION } from './api/app.js';
export { ApiError, errorBody, STATUS_OF_KIND, statusOf } from './api/errors.js';
export { registerResumeRoutes } from './api/resume.js';
export { type Composed, compose, type Foundations } from './compose.js';
export { Connections, type ConnectionView, redactConnectionValues, type TestResult } from './connections.js';
export { type ConnectorRuntime, InProcessRuntime, runOperation, signEvents } from './connector-runtime.js';
export { type CopyResult, copyDatabase } from './db-copy.js';
export {
  ConflictError,
  DomainError,
  type DomainErrorKind,
  FailedError,
  ForbiddenError,
  InvalidError,
  isDomainError,
  NotFoundError,
  UnsupportedError,
} from './errors.js';
export { adminToken, ensureHome, resolveHome } from './home.js';
export { ConnectorHostError, type HostFailureCode } from './isolation/host-errors.js';
export { IsolatedRuntime, type IsolatedRuntimeOptions } from './isolation/isolated-runtime.js';
export { type IsolationOptions, isolationOptions } from './isolation/options.js';
export { testWorkerArgv } from './isolation/spawn-spec.js';
export {
  type EngineOptions,
  JobEngine,
  MAX_FOREACH_ITEMS,
  MAX_REINVOCATIONS,
  type RunOutcome,
  resumeTokenHash,
  type StepState,
} from './jobs/engine.js';
export { type ClassifiedError, classifyError } from './jobs/job-errors.js';
export {
  EmbeddedQueue,
  type EmbeddedQueueOptions,
  type JobQueue,
  type QueueHandler,
  type QueueItem,
  type QueueStats,
} from './jobs/queue.js';
export { FINISHED_STATUSES, rerunJob } from './jobs/rerun.js';
export { RETENTION_SWEEP_MS, Retention } from './jobs/retention.js';
export { type RetryPolicy, retries, retryDelayMs, type Transition, transition } from './jobs/status.js';
export { type ArraySummary, SUMMARY_KEEP, type Summarized, summarize } from './jobs/summarize.js';
export {
  createJobSystem,
  type JobSystem,
  type JobSystemDeps,
  recoverableJobs,
  Workers,
  type WorkersDeps,
} from './jobs/workers.js';
export type { Log } from './log.js';
export { datapillsOf } from './recipes/datapills.js';
export {
  compileValue,
  evaluateCondition,
  evaluateInput,
  evaluateValue,
  FormulaError,
  type Scope,
} from './recipes/formula.js';
export { Recipes, type RecipeView } from './recipes/service.js';
export type { ActionStep, ForeachStep, IfStep, Recipe, RecipeTrigger, Step, StopStep } from './recipes/types.js';
export { connectionsOf, connectorsOf, type Problem, type RecipeContext, validateRecipe } from './recipes/validate.js';
export {
  PUSH_ORIGIN,
  type PushResult,
  type RegisteredConnector,
  Registry,
  type RegistryOptions,
} from './registry.js';
export {
  BUILTIN_CONNECTORS,
  BUNDLED_CONNECTORS,
  builtinFolders,
  connectorFolders,
  type RunningServer,
  type ServeOptions,
  startServer,
} from './serve.js';
export { KyselyStore } from './store/kysely.js';
export { SqliteStore } from './store/sqlite.js';
export * from './store/store.js';
export { Batcher } from './triggers/batch.js';
export { Scheduler } from './triggers/scheduler.js';
export {
  keyIdOf,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE,
  PREVIOUS_KEYS_ENV,
  parseMasterKey,
  Vault,
  VaultError,
} from './vault.js';
