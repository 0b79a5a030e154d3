/**
 * `GET /agents/connect`: where agents dial in, a WebSocket upgrade on the server's own HTTP
 * server (`ws` without a server of its own). The key is checked before the upgrade completes: a
 * missing, revoked or rotated-away key gets a plain 401, nothing else. First of all, a server
 * bound to loopback checks `Host` as for every HTTP request (api/hosts.ts, given as `checkHost`):
 * a foreign name gets the same 403 `HOST_NOT_ALLOWED` before the path, the role or the key is
 * looked at. Only a process with the `ingress` role takes agents (others answer 421, as roles.ts
 * does for routes). Once upgraded, the agent's first message must be its `hello`, within a
 * heartbeat.
 *
 * `GET /agents/relay?group=G` is the cluster's internal route (relay.ts), on every process
 * whatever its roles: refused with a plain 401 before the upgrade unless signed with the
 * cluster's relay key (relay-auth.ts), and 404 on a process that is not part of a cluster.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Log } from '../log.js';
import type { AgentHub } from './hub.js';
import { CONNECT_PATH, type ControlFrame, MAX_MESSAGE, PROTOCOL_VERSION } from './protocol.js';
import { RELAY_PATH } from './relay-auth.js';
import { serveRelay } from './relay-peer.js';
import type { Agents } from './service.js';
import { FrameWriter, readFrames } from './wire.js';

export interface AgentEndpointDeps {
  agents: Agents;
  hub: AgentHub;
  /** Whether this process plays the `ingress` role. */
  ingress: boolean;
  log: Log;
  /**
   * The server's `Host` policy (api/hosts.ts `hostCheck`), when it has one: a refusal is
   * answered 403 before anything else.
   */
  checkHost?: (host: string | undefined, rawUrl: string | undefined) => { code: string; message: string } | undefined;
}

function refuse(socket: Duplex, status: number, reason: string, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `${status === 401 ? 'www-authenticate: Bearer\r\n' : ''}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Handles the server's upgrades; returns what stops it. */
export function attachAgentEndpoint(server: Server, deps: AgentEndpointDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const foreign = deps.checkHost?.(request.headers.host, request.url);
    if (foreign) return refuse(socket, 403, 'Forbidden', foreign.code, foreign.message);
    const path = (request.url ?? '').split('?')[0];
    if (path === RELAY_PATH) return relay(request, socket, head);
    if (path !== CONNECT_PATH) {
      return refuse(socket, 404, 'Not Found', 'NOT_FOUND', `No WebSocket endpoint at ${path.slice(0, 200)}`);
    }
    if (!deps.ingress) {
      return refuse(
        socket,
        421,
        'Misdirected Request',
        'ROLE_NOT_SERVED',
        'This process does not play the "ingress" role, which takes agents: send agents to a process with it',
      );
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    void (match ? deps.agents.authenticate(match[1]) : Promise.resolve(undefined)).then(
      (agent) => {
        if (!agent) {
          return refuse(
            socket,
            401,
            'Unauthorized',
            'UNAUTHORIZED',
            'Send the agent key as "Authorization: Bearer <key>"',
          );
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          const timer = setTimeout(() => ws.close(1008, 'no hello'), deps.hub.heartbeatMs);
          ws.once('message', (data, binary) => {
            clearTimeout(timer);
            const [first] = (binary && readFrames(data as Buffer)) || [];
            const hello = first?.kind === 'control' ? first.frame : undefined;
            if (hello?.t !== 'hello' || hello.protocol !== PROTOCOL_VERSION) {
              ws.close(1002, `expected hello, protocol ${PROTOCOL_VERSION}`);
              return;
            }
            deps.hub.accept(ws, {
              agent: agent.name,
              group: agent.group,
              keyHash: agent.keyHash,
              version: hello.version.slice(0, 100),
              allows: hello.allows,
            });
            const welcome: ControlFrame = {
              t: 'welcome',
              agent: agent.name,
              group: agent.group,
              heartbeatMs: deps.hub.heartbeatMs,
            };
            const writer = new FrameWriter((message) => ws.send(message));
            writer.control(welcome);
            writer.flush();
          });
        });
      },
      (error: unknown) => {
        deps.log('error', 'Could not check an agent key', { error: String(error) });
        refuse(socket, 503, 'Service Unavailable', 'UNAVAILABLE', 'Weft could not check the key; try again');
      },
    );
  };
  const relay = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const own = deps.hub.relay;
    if (!own) return refuse(socket, 404, 'Not Found', 'NOT_FOUND', 'This process is not part of a cluster');
    const group = new URL(request.url ?? '', 'http://relay').searchParams.get('group') ?? '';
    const header = request.headers.authorization;
    const caller = group.length <= 200 ? own.credential.verify(header, own.nodeId, group) : undefined;
    if (!caller) {
      return refuse(socket, 401, 'Unauthorized', 'UNAUTHORIZED', 'Only the processes of this cluster may relay');
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      relays.add(ws);
      ws.on('close', () => relays.delete(ws));
      serveRelay(ws, group, deps.hub, deps.hub.heartbeatMs);
    });
  };
  // The peers' relays stay open until told otherwise: they would hold a stopping server open.
  const relays = new Set<WebSocket>();
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const ws of relays) {
      ws.close(1001, 'the server is stopping');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    wss.close();
  };
}
