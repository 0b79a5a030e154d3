/**
 * The calling end of a relay between the processes of a cluster: a process with no agent of a
 * group sends the group's requests to a process that has one. Each process holding agent
 * sessions records which groups it holds and its internal URL (`agent_presence`, renewed on
 * every heartbeat of its hub); this end reads that, opens one internal WebSocket per peer and
 * group (`/agents/relay`, signed with relay-auth.ts), keeps it for the next requests, and runs
 * the server's own `AgentSession` over it: the peer answers as an agent would (relay-peer.ts),
 * so streams, credit, cancellation and heartbeats are the tunnel's. The peer's error codes
 * (`AGENT_OFFLINE`, `AGENT_DISCONNECTED`, a refused host…) come back unchanged.
 */
import { type ErrorCode, WeftError } from '@weft/sdk';
import { WebSocket } from 'ws';
import type { Log } from '../log.js';
import type { AgentPresence, AgentRepository } from '../store/agents.js';
import { agentOffline } from './errors.js';
import { MAX_MESSAGE } from './protocol.js';
import { type RelayCredential, relayUrl } from './relay-auth.js';
import { type AgentRequest, type AgentResponse, AgentSession, type SessionErrors } from './session.js';

/** What a peer may answer a stream with; anything else arrives as `AGENT_ERROR`. */
const PEER_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'AGENT_OFFLINE',
  'AGENT_DISCONNECTED',
  'AGENT_HOST_NOT_ALLOWED',
  'AGENT_ERROR',
  'HTTP_CONNECTION_FAILED',
  'HTTP_TIMEOUT',
  'REQUEST_INVALID',
]);
/** How long the peers of a group read from the store are used before reading them again. */
const PRESENCE_TTL_MS = 1000;
const CONNECT_TIMEOUT_MS = 5000;

export interface RelayOptions {
  store: Pick<AgentRepository, 'agentPresence'>;
  /** This process's node id: its own presence is never a peer. */
  nodeId: string;
  credential: RelayCredential;
  heartbeatMs: number;
  log: Log;
}

export class AgentRelay {
  /** Open (or opening) sessions, by `url group`. */
  private readonly sessions = new Map<string, Promise<AgentSession>>();
  private readonly presence = new Map<string, { until: number; peers: Promise<AgentPresence[]> }>();
  private next = 0;
  private closed = false;

  constructor(private readonly options: RelayOptions) {}

  get credential(): RelayCredential {
    return this.options.credential;
  }

  /** This process's node id: the peers' relays are signed for it. */
  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Carries a request through a peer holding an agent of `group`; `AGENT_OFFLINE` when none does. */
  async request(group: string, request: AgentRequest): Promise<AgentResponse> {
    const peers = await this.peersOf(group);
    // Round robin over the peers; one that cannot be reached is skipped (nothing was sent yet).
    const start = this.next++;
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(start + i) % peers.length];
      let session: AgentSession;
      try {
        session = await this.session(peer, group);
      } catch (error) {
        this.options.log('warn', `Could not relay to ${peer.url} for the agent group "${group}"`, {
          error: error instanceof Error ? error.message : String(error),
        });
        this.presence.delete(group);
        continue;
      }
      return session.request(request).catch((error: unknown) => {
        // The peer's agents left since its presence was read: read it again next time.
        if (error instanceof WeftError && error.code === 'AGENT_OFFLINE') this.presence.delete(group);
        throw error;
      });
    }
    throw agentOffline(group);
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((s) => s.then((session) => session.close('the server is stopping')).catch(() => {})));
  }

  private peersOf(group: string): Promise<AgentPresence[]> {
    const now = Date.now();
    const known = this.presence.get(group);
    if (known && known.until > now) return known.peers;
    const peers = this.options.store.agentPresence(group, now).then(
      (rows) => rows.filter((row) => row.nodeId !== this.options.nodeId),
      (error: unknown) => {
        // No way to know who holds the group: as if nobody did (AGENT_OFFLINE, retried).
        this.presence.delete(group);
        this.options.log('warn', `Could not read which processes hold the agent group "${group}"`, {
          error: error instanceof Error ? error.message : String(error),
        });
        return [];
      },
    );
    this.presence.set(group, { until: now + PRESENCE_TTL_MS, peers });
    void peers.then((rows) => this.dropOthers(group, rows));
    return peers;
  }

  /** Closes the idle sessions of `group` to peers that no longer hold it. */
  private dropOthers(group: string, peers: AgentPresence[]): void {
    const keep = new Set(peers.map((p) => `${p.url} ${group}`));
    for (const [key, opening] of this.sessions) {
      if (!key.endsWith(` ${group}`) || keep.has(key)) continue;
      void opening.then(
        (session) => {
          // Requests under way finish (or fail) on their own; the next look closes it.
          if (session.inFlight > 0 || this.sessions.get(key) !== opening) return;
          this.sessions.delete(key);
          void session.close('the peer no longer holds the group');
        },
        () => {},
      );
    }
  }

  private session(peer: AgentPresence, group: string): Promise<AgentSession> {
    const key = `${peer.url} ${group}`;
    const known = this.sessions.get(key);
    if (known) return known;
    const forget = () => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    };
    const opening = this.open(peer, group, forget);
    this.sessions.set(key, opening);
    opening.catch(forget);
    return opening;
  }

  /** A session to `peer` for `group`; `onClose` runs when it closes. */
  private open(peer: AgentPresence, group: string, onClose: () => void): Promise<AgentSession> {
    if (this.closed) return Promise.reject(new Error('the server is stopping'));
    const { nodeId, credential, heartbeatMs } = this.options;
    const { url } = peer;
    const ws = new WebSocket(relayUrl(url, group), {
      headers: { authorization: credential.sign(nodeId, peer.nodeId, group) },
      maxPayload: MAX_MESSAGE,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    const errors: SessionErrors = {
      stream: (code, message) => new WeftError(PEER_CODES.has(code) ? (code as ErrorCode) : 'AGENT_ERROR', message),
      disconnected: (why) =>
        new WeftError(
          'AGENT_DISCONNECTED',
          `The process at ${url}, relaying the request to an agent of the group "${group}", went away (${why}); ` +
            'the next request goes to another process holding an agent of the group',
        ),
    };
    return new Promise<AgentSession>((resolve, reject) => {
      ws.once('unexpected-response', (_request, response) => {
        ws.terminate();
        reject(new Error(`the process at ${url} answered ${response.statusCode} instead of taking the relay`));
      });
      ws.once('error', reject);
      ws.once('open', () => {
        const info = { agent: `relay to ${url}`, group, keyHash: '', version: '', allows: [] };
        resolve(new AgentSession(ws, info, heartbeatMs, { errors, onStreamDone: () => {}, onClose }));
      });
    });
  }
}
