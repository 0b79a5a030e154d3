/**
 * On-premises agents (0006): name, group, the SHA-256 of the key (the key itself is shown once
 * and never stored) and what an operator sees of each: version, last seen, requests served,
 * last error, whether a session is open.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { StoreError } from './common.js';
import type { AgentTable, Database } from './schema.js';
import { affected, insertOrConflict, now } from './sql.js';

export interface AgentRecord {
  name: string;
  group: string;
  keyHash: string;
  version: string | null;
  requestsServed: number;
  lastError: string | null;
  lastSeen: string | null;
  connectedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a session reports: each field given is written; `served` is added to the count. */
export interface AgentSeen {
  lastSeen: string;
  version?: string;
  /** An ISO time when a session opened; null when the agent's last session closed. */
  connectedAt?: string | null;
  served?: number;
  lastError?: string;
}

export interface AgentRepository {
  /** Fails with `StoreError('CONFLICT')` when the name is taken. */
  insertAgent(input: { name: string; group: string; keyHash: string }): Promise<AgentRecord>;
  getAgent(name: string): Promise<AgentRecord | undefined>;
  agentByKeyHash(keyHash: string): Promise<AgentRecord | undefined>;
  /** Every agent, by name (a deployment has a handful). */
  listAgents(): Promise<AgentRecord[]>;
  deleteAgent(name: string): Promise<boolean>;
  /** Replaces the key's hash; undefined when there is no such agent. */
  setAgentKey(name: string, keyHash: string): Promise<AgentRecord | undefined>;
  recordAgentSeen(name: string, seen: AgentSeen): Promise<void>;
  /**
   * The groups a process holds sessions of, until `expiresAt` (ms since the epoch): replaces
   * what it said before (an empty list removes it).
   */
  recordAgentPresence(nodeId: string, url: string, groups: readonly string[], expiresAt: number): Promise<void>;
  /** The processes holding sessions of `group` whose presence has not expired at `at`. */
  agentPresence(group: string, at: number): Promise<AgentPresence[]>;
}

/** A process holding sessions of an agent group (0008). */
export interface AgentPresence {
  nodeId: string;
  url: string;
  expiresAt: number;
}

function toAgent(row: Selectable<AgentTable>): AgentRecord {
  return {
    name: row.name,
    group: row.agent_group,
    keyHash: row.key_hash,
    version: row.version,
    requestsServed: Number(row.requests_served),
    lastError: row.last_error,
    lastSeen: row.last_seen,
    connectedAt: row.connected_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class KyselyAgents implements AgentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertAgent(input: { name: string; group: string; keyHash: string }): Promise<AgentRecord> {
    const at = now();
    const row: Selectable<AgentTable> = {
      name: input.name,
      agent_group: input.group,
      key_hash: input.keyHash,
      version: null,
      requests_served: 0,
      last_error: null,
      last_seen: null,
      connected_at: null,
      created_at: at,
      updated_at: at,
    };
    const taken = () => new StoreError('CONFLICT', `An agent named "${input.name}" exists already`);
    await insertOrConflict(
      () =>
        this.db.transaction().execute(async (trx) => {
          const found = await trx.selectFrom('agents').select('name').where('name', '=', input.name).executeTakeFirst();
          if (found) throw taken();
          await trx.insertInto('agents').values(row).execute();
        }),
      taken,
    );
    return toAgent(row);
  }

  async getAgent(name: string): Promise<AgentRecord | undefined> {
    const row = await this.db.selectFrom('agents').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toAgent(row);
  }

  async agentByKeyHash(keyHash: string): Promise<AgentRecord | undefined> {
    const row = await this.db.selectFrom('agents').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && toAgent(row);
  }

  async listAgents(): Promise<AgentRecord[]> {
    const rows = await this.db.selectFrom('agents').selectAll().orderBy('name').execute();
    return rows.map(toAgent);
  }

  async deleteAgent(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('agents').where('name', '=', name).executeTakeFirst();
    return affected(result.numDeletedRows) === 1;
  }

  async setAgentKey(name: string, keyHash: string): Promise<AgentRecord | undefined> {
    await this.db
      .updateTable('agents')
      .set({ key_hash: keyHash, updated_at: now() })
      .where('name', '=', name)
      .execute();
    return this.getAgent(name);
  }

  async recordAgentSeen(name: string, seen: AgentSeen): Promise<void> {
    await this.db
      .updateTable('agents')
      .set({
        last_seen: seen.lastSeen,
        ...(seen.version !== undefined ? { version: seen.version } : {}),
        ...(seen.connectedAt !== undefined ? { connected_at: seen.connectedAt } : {}),
        ...(seen.lastError !== undefined ? { last_error: seen.lastError } : {}),
        ...(seen.served ? { requests_served: sql<number>`requests_served + ${seen.served}` } : {}),
      })
      .where('name', '=', name)
      .execute();
  }

  async recordAgentPresence(nodeId: string, url: string, groups: readonly string[], expiresAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('agent_presence').where('node_id', '=', nodeId).execute();
      if (!groups.length) return;
      const rows = groups.map((group) => ({ node_id: nodeId, agent_group: group, url, expires_at: expiresAt }));
      await trx.insertInto('agent_presence').values(rows).execute();
    });
  }

  async agentPresence(group: string, at: number): Promise<AgentPresence[]> {
    const rows = await this.db
      .selectFrom('agent_presence')
      .selectAll()
      .where('agent_group', '=', group)
      .where('expires_at', '>', at)
      .orderBy('node_id')
      .execute();
    return rows.map((row) => ({ nodeId: row.node_id, url: row.url, expiresAt: Number(row.expires_at) }));
  }
}
