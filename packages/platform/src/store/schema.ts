/**
 * Table types of the store, shared by the SQLite and (later) PostgreSQL dialects through Kysely.
 */
import type { JobStatus } from '@weft/sdk/model';
import type { Generated } from 'kysely';

export interface ConnectorVersionTable {
  id: Generated<number>;
  name: string;
  version: number;
  /** SHA-256 of the bundled source: a new version is kept only when it changes. */
  checksum: string;
  source: string;
  /** Where it came from: a file path, or `push`. */
  origin: string;
  created_at: string;
}

/** A connection: its values sealed by the vault (AES-256-GCM), never stored in plain text. */
export interface ConnectionTable {
  name: string;
  connector: string;
  /** base64 of ciphertext ‖ GCM tag of the JSON of the values. */
  values_encrypted: string;
  /** Id of the master key that sealed the row, so a key rotation can find old rows. */
  key_id: string;
  /** base64 of the 12-byte nonce drawn for this write. */
  nonce: string;
  /** The agent group whose agents carry the connection's HTTP (0007); null: sent directly. */
  agent_group: string | null;
  created_at: string;
  updated_at: string;
}

export interface RecipeTable {
  id: string;
  name: string;
  /** The validated recipe JSON (trigger, steps, onError, concurrency), defaults filled in. */
  definition: string;
  status: 'stopped' | 'running';
  /** JSON `{ connectorName: version }`: the connector versions the recipe runs with. */
  connector_versions: string;
  /** The secret part of the recipe's webhook URL. */
  webhook_secret: string;
  created_at: string;
  updated_at: string;
}

export type { JobStatus };

export interface JobTable {
  id: string;
  recipe_id: string;
  status: JobStatus;
  /** JSON of the trigger event. */
  trigger: string;
  /** JSON `{ code, message, stepId? }` when failed. */
  error: string | null;
  attempts: number;
  /** When a pending or suspended job may run (retries with back-off, multistep steps). */
  run_at: string | null;
  /** The job this one re-runs. */
  rerun_of: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The process running the job on PostgreSQL (its bus node id); null when not running (0004). */
  lease_owner?: string | null;
  /** Until when that process holds the job (ISO); a running job past it is taken over (0004). */
  lease_until?: string | null;
}

export interface JobStepTable {
  job_id: string;
  /** Order of execution within the job. */
  seq: number;
  /** The recipe step's id (with the iteration for steps inside `foreach`, e.g. `line[2]`). */
  step_id: string;
  status: JobStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  /** JSON state of a suspended multistep action (`continue`). */
  state: string | null;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  /**
   * JSON of the output before summarization, only when `output` is summarized: what later steps
   * read when a job resumes after a restart (0003).
   */
  full_output?: string | null;
  /** JSON array of the step's `ctx.log` lines, bounded (0010); null when it logged nothing. */
  logs?: string | null;
}

/** The wait of a job suspended by `waitForResume` (0003): one per job at a time. */
export interface JobWaitTable {
  job_id: string;
  /** The waiting step. */
  seq: number;
  /** SHA-256 (hex) of the token in the resume URL: the URL itself is not kept. */
  token_hash: string;
  /** JSON `{ payload, headers }` of the call that resumed the job; null while waiting. */
  resume: string | null;
  created_at: string;
}

export interface TriggerStateTable {
  recipe_id: string;
  /** JSON of the last `nextPoll`; null before the first poll. */
  closure: string | null;
  /** Consecutive polls that created no job (the cycle stops at 600). */
  empty_polls: number;
  updated_at: string;
  /** JSON `{ code, message, at }` of the last poll when it failed; null after a good poll (0003). */
  last_poll_error?: string | null;
}

export interface SeenSignatureTable {
  recipe_id: string;
  signature: string;
  created_at: string;
}

export interface WebhookSubscriptionTable {
  recipe_id: string;
  /**
   * What `webhookSubscribe` returned, given back to unsubscribe and refresh: sealed by the vault
   * (base64 of ciphertext and tag) when `key_id` is set; plain JSON in rows written before 0011.
   */
  data: string;
  /** The URL secret the subscription was registered with. */
  secret: string;
  /** The master key that sealed `data` (0011); null: `data` is plain JSON. */
  key_id?: string | null;
  /** base64 of the 12-byte nonce of `data` (0011); null with `key_id`. */
  nonce?: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  connector_versions: ConnectorVersionTable;
  connections: ConnectionTable;
  recipes: RecipeTable;
  jobs: JobTable;
  job_steps: JobStepTable;
  job_waits: JobWaitTable;
  trigger_state: TriggerStateTable;
  seen_signatures: SeenSignatureTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  cluster_leases: ClusterLeaseTable;
  oauth_states: OAuthStateTable;
  agents: AgentTable;
  agent_presence: AgentPresenceTable;
  mcp_tokens: McpTokenTable;
}

/** A process holding sessions of an agent group, and where its peers reach it (0008). */
export interface AgentPresenceTable {
  /** The process's node id (the bus's). */
  node_id: string;
  agent_group: string;
  /** The process's internal URL (`WEFT_INTERNAL_URL`). */
  url: string;
  /** Milliseconds since the epoch; renewed on each heartbeat of the process's agent hub. */
  expires_at: number;
}

/** A scoped MCP token (0009): the connections it may use, as a JSON array of names. */
export interface McpTokenTable {
  name: string;
  /** JSON array of connection names. */
  connections: string;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  created_at: string;
}

/** An on-premises agent (0006). Times are ISO-8601 text. */
export interface AgentTable {
  name: string;
  agent_group: string;
  /** SHA-256 of the key, hex. */
  key_hash: string;
  version: string | null;
  requests_served: number;
  last_error: string | null;
  last_seen: string | null;
  /** Set while a session of the agent is open (on any process). */
  connected_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A lease held by one process of a cluster (0005): the leader's (`scheduler`). */
export interface ClusterLeaseTable {
  name: string;
  /** The holder's node id. */
  holder: string;
  /** Until when, in milliseconds since the epoch (the database's clock). */
  until: number;
}

/** An OAuth2 authorization started and not yet settled (0005): usable once before it expires. */
export interface OAuthStateTable {
  state: string;
  connection: string;
  connector: string;
  redirect_uri: string;
  code_verifier: string | null;
  /** Milliseconds since the epoch. */
  expires_at: number;
  /** 1 once a callback took it. */
  used: number;
}
