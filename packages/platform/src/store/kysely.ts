/**
 * The store over a Kysely database, for every SQL dialect (SQLite now, PostgreSQL next): the
 * repositories composed, each method the repository's own. What differs between dialects is
 * in dialect.ts.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import { type AgentPresence, type AgentRecord, type AgentSeen, KyselyAgents } from './agents.js';
import type { Page, PageRequest } from './common.js';
import { type ConnectionRecord, KyselyConnections, type LockedConnection, type SealedValues } from './connections.js';
import { type ConnectorVersion, KyselyConnectors } from './connectors.js';
import { type EventsCommitted, EventWriter, type NewEvents } from './events.js';
import { KyselyJobRuns } from './job-runs.js';
import type {
  JobPatch,
  JobProgress,
  JobQuery,
  JobRecord,
  JobStart,
  JobStepRecord,
  JobWithSteps,
  ResumeCall,
  UnfinishedJob,
} from './job-types.js';
import { KyselyJobs } from './jobs.js';
import { KyselyMcpTokens, type McpTokenRecord } from './mcp-tokens.js';
import { migrations } from './migrations.js';
import { KyselyOAuthStates, type OAuthState, type TakenOAuthState } from './oauth-states.js';
import { KyselyRecipes, type NewRecipe, type RecipeRecord, type RecipeStatus } from './recipes.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';
import { KyselySubscriptions, type WebhookSubscriptionRecord } from './subscriptions.js';
import {
  KyselyTriggerState,
  type PollCommit,
  type PollCommitted,
  type PollError,
  type TriggerState,
} from './trigger-state.js';

export { decodeCursor, encodeCursor } from './sql.js';

export class KyselyStore implements Store {
  readonly connectors: KyselyConnectors;
  readonly connections: KyselyConnections;
  readonly recipes: KyselyRecipes;
  readonly jobs: KyselyJobs;
  readonly jobRuns: KyselyJobRuns;
  readonly triggerState: KyselyTriggerState;
  readonly subscriptions: KyselySubscriptions;
  readonly oauthStates: KyselyOAuthStates;
  readonly agents: KyselyAgents;
  readonly mcpTokens: KyselyMcpTokens;

  constructor(readonly db: Kysely<Database>) {
    // One writer of trigger events for the jobs and the polls: the one dedup path.
    const events = new EventWriter();
    this.connectors = new KyselyConnectors(db);
    this.connections = new KyselyConnections(db);
    this.recipes = new KyselyRecipes(db);
    this.jobs = new KyselyJobs(db, events);
    this.jobRuns = new KyselyJobRuns(db);
    this.triggerState = new KyselyTriggerState(db, events);
    this.subscriptions = new KyselySubscriptions(db);
    this.oauthStates = new KyselyOAuthStates(db);
    this.agents = new KyselyAgents(db);
    this.mcpTokens = new KyselyMcpTokens(db);
  }

  // Connector versions
  putConnectorVersion(input: { name: string; checksum: string; source: string; origin: string }) {
    return this.connectors.putConnectorVersion(input);
  }
  latestConnectorVersions(): Promise<ConnectorVersion[]> {
    return this.connectors.latestConnectorVersions();
  }
  connectorVersions(name: string): Promise<ConnectorVersion[]> {
    return this.connectors.connectorVersions(name);
  }
  connectorSource(name: string, version: number): Promise<string | undefined> {
    return this.connectors.connectorSource(name, version);
  }

  // Connections
  insertConnection(
    input: { name: string; connector: string; agentGroup?: string } & SealedValues,
  ): Promise<ConnectionRecord> {
    return this.connections.insertConnection(input);
  }
  getConnection(name: string): Promise<ConnectionRecord | undefined> {
    return this.connections.getConnection(name);
  }
  listConnections(request: PageRequest): Promise<Page<ConnectionRecord>> {
    return this.connections.listConnections(request);
  }
  connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]> {
    return this.connections.connectionsNotSealedWith(keyId);
  }
  updateConnectionValues(
    name: string,
    sealed: SealedValues,
    change?: { agentGroup?: string | null },
  ): Promise<ConnectionRecord | undefined> {
    return this.connections.updateConnectionValues(name, sealed, change);
  }
  deleteConnection(name: string): Promise<boolean> {
    return this.connections.deleteConnection(name);
  }
  withConnectionLock<T>(name: string, fn: (locked: LockedConnection) => Promise<T>): Promise<T> {
    return this.connections.withConnectionLock(name, fn);
  }

  // Recipes
  insertRecipe(input: NewRecipe): Promise<RecipeRecord> {
    return this.recipes.insertRecipe(input);
  }
  getRecipe(id: string): Promise<RecipeRecord | undefined> {
    return this.recipes.getRecipe(id);
  }
  listRecipes(query: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeRecord>> {
    return this.recipes.listRecipes(query);
  }
  updateRecipe(id: string, input: Omit<NewRecipe, 'webhookSecret'>): Promise<RecipeRecord | undefined> {
    return this.recipes.updateRecipe(id, input);
  }
  setRecipeStatus(id: string, status: RecipeStatus): Promise<RecipeRecord | undefined> {
    return this.recipes.setRecipeStatus(id, status);
  }
  deleteRecipe(id: string): Promise<boolean> {
    return this.recipes.deleteRecipe(id);
  }

  // Jobs
  createJobs(input: NewEvents): Promise<EventsCommitted> {
    return this.jobs.createJobs(input);
  }
  createJobsMany(inputs: readonly NewEvents[]): Promise<EventsCommitted[]> {
    return this.jobs.createJobsMany(inputs);
  }
  getJob(id: string): Promise<JobWithSteps | undefined> {
    return this.jobs.getJob(id);
  }

  getJobStatus(id: string): Promise<JobRecord['status'] | undefined> {
    return this.jobs.getJobStatus(id);
  }
  listJobs(query: JobQuery): Promise<Page<JobRecord>> {
    return this.jobs.listJobs(query);
  }
  updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined> {
    return this.jobs.updateJob(id, patch);
  }
  saveJobStep(step: JobStepRecord): Promise<void> {
    return this.jobs.saveJobStep(step);
  }

  // The job engine
  unfinishedJobs(): Promise<UnfinishedJob[]> {
    return this.jobRuns.unfinishedJobs();
  }
  startJobs(ids: readonly string[], at: string): Promise<JobStart[]> {
    return this.jobRuns.startJobs(ids, at);
  }
  saveJobProgress(writes: readonly JobProgress[]): Promise<void> {
    return this.jobRuns.saveJobProgress(writes);
  }
  resumeJob(input: { jobId: string; tokenHash: string; resume: ResumeCall }): Promise<JobRecord | undefined> {
    return this.jobRuns.resumeJob(input);
  }
  deleteFinishedJobs(input: { before: string; limit: number }): Promise<number> {
    return this.jobRuns.deleteFinishedJobs(input);
  }

  // Trigger state
  commitPoll(input: PollCommit): Promise<PollCommitted> {
    return this.triggerState.commitPoll(input);
  }
  recordPollError(recipeId: string, error: PollError): Promise<void> {
    return this.triggerState.recordPollError(recipeId, error);
  }
  getTriggerState(recipeId: string): Promise<TriggerState | undefined> {
    return this.triggerState.getTriggerState(recipeId);
  }
  resetTriggerState(recipeId: string): Promise<void> {
    return this.triggerState.resetTriggerState(recipeId);
  }

  // Webhook subscriptions
  putWebhookSubscription(input: {
    recipeId: string;
    sealed: SealedValues;
    secret: string;
  }): Promise<WebhookSubscriptionRecord> {
    return this.subscriptions.putWebhookSubscription(input);
  }
  getWebhookSubscription(recipeId: string): Promise<WebhookSubscriptionRecord | undefined> {
    return this.subscriptions.getWebhookSubscription(recipeId);
  }
  deleteWebhookSubscription(recipeId: string): Promise<boolean> {
    return this.subscriptions.deleteWebhookSubscription(recipeId);
  }
  subscriptionsNotSealedWith(keyId: string): Promise<WebhookSubscriptionRecord[]> {
    return this.subscriptions.subscriptionsNotSealedWith(keyId);
  }
  resealWebhookSubscription(seen: WebhookSubscriptionRecord, sealed: SealedValues): Promise<boolean> {
    return this.subscriptions.resealWebhookSubscription(seen, sealed);
  }

  // OAuth2 authorizations under way
  putOAuthState(state: string, pending: OAuthState, now: number, keepMs: number): Promise<void> {
    return this.oauthStates.putOAuthState(state, pending, now, keepMs);
  }
  takeOAuthState(state: string, now: number): Promise<TakenOAuthState> {
    return this.oauthStates.takeOAuthState(state, now);
  }

  // On-premises agents
  insertAgent(input: { name: string; group: string; keyHash: string }): Promise<AgentRecord> {
    return this.agents.insertAgent(input);
  }
  getAgent(name: string): Promise<AgentRecord | undefined> {
    return this.agents.getAgent(name);
  }
  agentByKeyHash(keyHash: string): Promise<AgentRecord | undefined> {
    return this.agents.agentByKeyHash(keyHash);
  }
  listAgents(): Promise<AgentRecord[]> {
    return this.agents.listAgents();
  }
  deleteAgent(name: string): Promise<boolean> {
    return this.agents.deleteAgent(name);
  }
  setAgentKey(name: string, keyHash: string): Promise<AgentRecord | undefined> {
    return this.agents.setAgentKey(name, keyHash);
  }
  recordAgentSeen(name: string, seen: AgentSeen): Promise<void> {
    return this.agents.recordAgentSeen(name, seen);
  }
  recordAgentPresence(nodeId: string, url: string, groups: readonly string[], expiresAt: number): Promise<void> {
    return this.agents.recordAgentPresence(nodeId, url, groups, expiresAt);
  }
  agentPresence(group: string, at: number): Promise<AgentPresence[]> {
    return this.agents.agentPresence(group, at);
  }

  // MCP tokens
  insertMcpToken(input: { name: string; connections: string[]; tokenHash: string }): Promise<McpTokenRecord> {
    return this.mcpTokens.insertMcpToken(input);
  }
  mcpTokenByHash(tokenHash: string): Promise<McpTokenRecord | undefined> {
    return this.mcpTokens.mcpTokenByHash(tokenHash);
  }
  listMcpTokens(): Promise<McpTokenRecord[]> {
    return this.mcpTokens.listMcpTokens();
  }
  deleteMcpToken(name: string): Promise<boolean> {
    return this.mcpTokens.deleteMcpToken(name);
  }

  /** The migrations this store's dialect runs (SQLite's unless a subclass says otherwise). */
  protected migrationSet(): Record<string, Migration> {
    return migrations;
  }

  async notReady(): Promise<string | undefined> {
    try {
      const known = await new Migrator({
        db: this.db,
        provider: { getMigrations: async () => this.migrationSet() },
      }).getMigrations();
      const pending = known.filter((m) => m.executedAt === undefined).map((m) => m.name);
      return pending.length ? `migrations not applied: ${pending.join(', ')}` : undefined;
    } catch {
      // No detail: the probe is public, and the database's address is not its business.
      return 'the database does not answer';
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
