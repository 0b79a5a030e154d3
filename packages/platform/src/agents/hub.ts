/**
 * The agent sessions open on this process, by agent and group. `request(group, …)` sends a
 * request through the online agent of the group with the fewest requests under way; with none
 * here, in a cluster, through a process that has one (relay.ts); with none anywhere, it fails
 * with `AGENT_OFFLINE`. What the console shows of each agent (last seen, version,
 * requests served, last error, connected) is written to the store on each heartbeat, batched,
 * so any process of a cluster can answer it, together with the groups this process holds and
 * its internal URL (`agent_presence`, what the relays of the other processes read); on the same
 * tick the hub closes the sessions whose agent was revoked or whose key was rotated by another
 * process.
 */
import { messageOf } from '@weft/sdk';
import type { WebSocket } from 'ws';
import type { Log } from '../log.js';
import type { AgentRepository } from '../store/agents.js';
import { agentOffline } from './errors.js';
import { MISSED_HEARTBEATS } from './protocol.js';
import type { AgentRelay } from './relay.js';
import { type AgentRequest, type AgentResponse, AgentSession, type SessionInfo } from './session.js';

/** In a cluster: who this process is to its peers, and how it reaches theirs. */
export interface HubCluster {
  nodeId: string;
  /** This process's internal URL (`WEFT_INTERNAL_URL`); empty until it listens. */
  url: () => string;
  relay: AgentRelay;
}

interface Tally {
  served: number;
  lastError?: string;
}

export class AgentHub {
  private readonly sessions = new Set<AgentSession>();
  /** Counts not written to the store yet, by agent. */
  private readonly tallies = new Map<string, Tally>();
  /** Connected-state changes not written yet: the ISO time a session opened, or null. */
  private readonly connected = new Map<string, string | null>();
  private readonly versions = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** The groups last written as this process's presence (undefined: nothing written yet). */
  private presence: string | undefined;

  constructor(
    private readonly store: AgentRepository,
    private readonly log: Log,
    readonly heartbeatMs: number,
    private readonly cluster?: HubCluster,
  ) {
    this.timer = setInterval(() => void this.tick(), heartbeatMs);
    this.timer.unref();
  }

  /** Takes a session whose agent authenticated and said hello. */
  accept(ws: WebSocket, info: SessionInfo): AgentSession {
    const session = new AgentSession(ws, info, this.heartbeatMs, {
      onStreamDone: (s, failure) => {
        const tally = this.tallyOf(s.agent);
        if (failure) tally.lastError = failure.message;
        else tally.served++;
      },
      onClose: (s) => {
        this.sessions.delete(s);
        if (!this.sessionsOf(s.agent).length) this.connected.set(s.agent, null);
        this.log('info', `Agent "${s.agent}" disconnected`, { agent: s.agent, group: s.info.group });
        void this.flush();
      },
    });
    this.sessions.add(session);
    this.connected.set(info.agent, session.connectedAt);
    this.versions.set(info.agent, info.version);
    this.log('info', `Agent "${info.agent}" connected`, {
      agent: info.agent,
      group: info.group,
      version: info.version,
    });
    void this.flush();
    return session;
  }

  /**
   * Carries a request through an online agent of `group` (the least busy one here), else
   * through a process of the cluster that has one.
   */
  request(group: string, request: AgentRequest): Promise<AgentResponse> {
    const best = this.localSession(group);
    if (best) return best.request(request);
    if (this.cluster) return this.cluster.relay.request(group, request);
    return Promise.reject(agentOffline(group));
  }

  /** Carries a request through an agent of `group` of this process only (what a relay serves). */
  requestLocal(group: string, request: AgentRequest): Promise<AgentResponse> {
    const best = this.localSession(group);
    return best ? best.request(request) : Promise.reject(agentOffline(group));
  }

  /** How other processes relay to this one (none on the embedded store). */
  get relay(): AgentRelay | undefined {
    return this.cluster?.relay;
  }

  private localSession(group: string): AgentSession | undefined {
    let best: AgentSession | undefined;
    for (const session of this.sessions) {
      if (session.info.group !== group || !session.open) continue;
      if (!best || session.inFlight < best.inFlight) best = session;
    }
    return best;
  }

  sessionsOf(agent: string): AgentSession[] {
    return [...this.sessions].filter((s) => s.agent === agent);
  }

  online(agent: string): boolean {
    return this.sessionsOf(agent).some((s) => s.open);
  }

  /** Requests served here and not yet counted in the store. */
  unflushed(agent: string): number {
    return this.tallies.get(agent)?.served ?? 0;
  }

  /** Closes the agent's sessions (all, or those not holding `keepKeyHash`). */
  closeAgent(agent: string, why: string, keepKeyHash?: string): void {
    for (const session of this.sessionsOf(agent)) {
      if (session.info.keyHash !== keepKeyHash) void session.close(why);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.sessions].map((session) => session.close('the server is stopping')));
    await this.flush();
    await this.cluster?.relay.close();
  }

  private tallyOf(agent: string): Tally {
    const tally = this.tallies.get(agent) ?? { served: 0 };
    this.tallies.set(agent, tally);
    return tally;
  }

  private async tick(): Promise<void> {
    await this.flush();
    if (!this.sessions.size) return;
    try {
      // Revoked or rotated on another process of the cluster: the store is the truth.
      const keys = new Map((await this.store.listAgents()).map((a) => [a.name, a.keyHash]));
      for (const session of this.sessions) {
        const key = keys.get(session.agent);
        if (key === undefined) void session.close('the agent was revoked');
        else if (key !== session.info.keyHash) void session.close("the agent's key was rotated");
      }
    } catch (error) {
      this.log('warn', 'Could not check the agents against the store', { error: messageOf(error) });
    }
  }

  /** Writes what changed since the last flush (one at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const lastSeen = new Date().toISOString();
    const agents = new Set([...this.tallies.keys(), ...this.connected.keys()]);
    for (const session of this.sessions) agents.add(session.agent);
    for (const agent of agents) {
      const tally = this.tallies.get(agent);
      this.tallies.delete(agent);
      const connectedAt = this.connected.get(agent);
      this.connected.delete(agent);
      const version = this.versions.get(agent);
      try {
        await this.store.recordAgentSeen(agent, {
          lastSeen,
          ...(version !== undefined ? { version } : {}),
          ...(connectedAt !== undefined ? { connectedAt } : {}),
          ...(tally?.served ? { served: tally.served } : {}),
          ...(tally?.lastError !== undefined ? { lastError: tally.lastError } : {}),
        });
      } catch (error) {
        this.log('warn', `Could not record agent "${agent}"`, { error: messageOf(error) });
      }
    }
    await this.writePresence();
  }

  /** Renews this process's presence: the groups it holds sessions of, where peers reach it. */
  private async writePresence(): Promise<void> {
    const url = this.cluster?.url();
    if (!this.cluster || !url) return;
    const groups = [...new Set([...this.sessions].filter((s) => s.open).map((s) => s.info.group))].sort();
    const said = groups.join(',');
    if (!groups.length && this.presence === said) return;
    try {
      const until = Date.now() + this.heartbeatMs * MISSED_HEARTBEATS;
      await this.store.recordAgentPresence(this.cluster.nodeId, url, groups, until);
      this.presence = said;
    } catch (error) {
      this.log('warn', 'Could not record which agent groups this process holds', { error: messageOf(error) });
    }
  }
}
