/**
 * On-premises agents in the domain: register (the key is shown once; only its SHA-256 is kept),
 * list, read, revoke (the row goes and the agent's sessions close at once) and rotate (a new
 * key; sessions holding the old one close). `authenticate` finds the agent a key belongs to.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgentView, AgentWithKey } from '@weft/sdk/model';
import { NotFoundError } from '../errors.js';
import { checkName } from '../names.js';
import type { AgentRecord, AgentRepository } from '../store/agents.js';
import type { AgentHub } from './hub.js';
import { AGENT_KEY_PREFIX, MISSED_HEARTBEATS } from './protocol.js';

/** The views are the SDK's (`@weft/sdk/model`), which the console reads too. */
export type { AgentView, AgentWithKey };

export function newAgentKey(): string {
  return `${AGENT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashAgentKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class Agents {
  constructor(
    private readonly store: AgentRepository,
    private readonly hub: AgentHub,
  ) {}

  async create(input: { name: string; group: string }): Promise<AgentWithKey> {
    checkName(input.name, 'identifier', 'name');
    checkName(input.group, 'identifier', 'group');
    const key = newAgentKey();
    const record = await this.store.insertAgent({ name: input.name, group: input.group, keyHash: hashAgentKey(key) });
    return { agent: this.view(record), key };
  }

  async list(): Promise<AgentView[]> {
    return (await this.store.listAgents()).map((record) => this.view(record));
  }

  async get(name: string): Promise<AgentView> {
    return this.view(await this.record(name));
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.deleteAgent(name))) throw notFound(name);
    this.hub.closeAgent(name, 'the agent was revoked');
  }

  async rotate(name: string): Promise<AgentWithKey> {
    await this.record(name);
    const key = newAgentKey();
    const keyHash = hashAgentKey(key);
    const record = await this.store.setAgentKey(name, keyHash);
    if (!record) throw notFound(name);
    this.hub.closeAgent(name, "the agent's key was rotated", keyHash);
    return { agent: this.view(record), key };
  }

  /** The agent holding `key`; undefined for a key no agent holds (revoked, rotated, made up). */
  async authenticate(key: string): Promise<AgentRecord | undefined> {
    if (!key.startsWith(AGENT_KEY_PREFIX) || key.length > 200) return undefined;
    const hash = hashAgentKey(key);
    const record = await this.store.agentByKeyHash(hash);
    if (!record) return undefined;
    const given = Buffer.from(hash, 'hex');
    const stored = Buffer.from(record.keyHash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored) ? record : undefined;
  }

  private async record(name: string): Promise<AgentRecord> {
    const record = await this.store.getAgent(name);
    if (!record) throw notFound(name);
    return record;
  }

  private view(record: AgentRecord): AgentView {
    // Online here, or on another process of the cluster (a session open, heard from lately).
    const recent =
      record.lastSeen !== null && Date.now() - Date.parse(record.lastSeen) <= this.hub.heartbeatMs * MISSED_HEARTBEATS;
    return {
      name: record.name,
      group: record.group,
      online: this.hub.online(record.name) || (record.connectedAt !== null && recent),
      lastSeen: this.hub.online(record.name) ? new Date().toISOString() : record.lastSeen,
      version: record.version,
      requestsServed: record.requestsServed + this.hub.unflushed(record.name),
      lastError: record.lastError,
      connectedAt: record.connectedAt,
      createdAt: record.createdAt,
    };
  }
}

function notFound(name: string): NotFoundError {
  return new NotFoundError('AGENT_NOT_FOUND', `No agent named "${name}": list them with GET /api/agents`);
}
