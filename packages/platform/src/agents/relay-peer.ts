/**
 * The serving end of a relay (relay.ts): another process of the cluster, with no agent of a
 * group, sends this one the group's requests over an internal WebSocket (`/agents/relay`). This
 * end speaks the agent's side of the tunnel protocol (protocol.ts) — request heads and bodies
 * in, response heads and bodies out, each body under credit — and hands every stream to the
 * local hub's own sessions of the group (`requestLocal`: never relayed on, so no loops and no
 * way to reach anything an agent of the group would not). Errors go back with their codes and
 * messages, which name the agent already.
 */
import { WeftError } from '@weft/sdk';
import type { WebSocket } from 'ws';
import { CreditReceiver, CreditSender } from './flow.js';
import { type ControlFrame, MISSED_HEARTBEATS } from './protocol.js';
import type { AgentRequest, AgentResponse } from './session.js';
import { type Frame, FrameWriter, readFrames } from './wire.js';

/** What a relay needs of the hub: its own sessions, nothing relayed. */
export interface LocalAgents {
  requestLocal(group: string, request: AgentRequest): Promise<AgentResponse>;
}

interface PeerStream {
  /** The request's body as it arrives. */
  body?: CreditReceiver;
  /** The response's body going back. */
  sender: CreditSender;
  response?: AgentResponse;
}

/** Serves one relay connection for `group` until it closes. */
export function serveRelay(ws: WebSocket, group: string, hub: LocalAgents, heartbeatMs: number): void {
  const streams = new Map<number, PeerStream>();
  const writer = new FrameWriter((message) => {
    if (ws.readyState === ws.OPEN) ws.send(message);
  });
  const send = (frame: ControlFrame) => writer.control(frame);
  const fail = (id: number, error: unknown) => {
    const known = error instanceof WeftError;
    const message = error instanceof Error ? error.message : String(error);
    send({ t: 'error', id, code: known ? error.code : 'AGENT_ERROR', message });
  };
  /** Ends a stream here: its body stops, its answer (and so the agent's request) is cancelled. */
  const drop = (id: number, error: Error) => {
    const stream = streams.get(id);
    if (!stream) return;
    streams.delete(id);
    stream.sender.fail(error);
    stream.body?.fail(error);
    stream.response?.body.destroy(error);
  };

  let lastHeard = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastHeard > heartbeatMs * MISSED_HEARTBEATS) ws.terminate();
  }, heartbeatMs);
  watchdog.unref();

  const start = (frame: Extract<ControlFrame, { t: 'request' }>) => {
    const { id } = frame;
    if (streams.has(id)) return void ws.close(1002, `stream ${id} is in use`);
    const sender = new CreditSender((chunk) => writer.data(id, chunk));
    const body = frame.body
      ? new CreditReceiver(
          (bytes) => send({ t: 'credit', id, bytes }),
          () => {},
        )
      : undefined;
    const stream: PeerStream = { body, sender };
    streams.set(id, stream);
    const request = { method: frame.method, url: frame.url, headers: frame.headers, body, timeoutMs: frame.timeoutMs };
    hub.requestLocal(group, request).then(
      (response) => {
        if (streams.get(id) !== stream) return void response.body.destroy();
        stream.response = response;
        send({ t: 'response', id, status: response.status, headers: response.headers });
        response.body.on('data', (chunk: Buffer) => {
          if (!sender.write(chunk)) {
            response.body.pause();
            sender.onDrain(() => response.body.resume());
          }
        });
        response.body.on('end', () => {
          sender.onDrain(() => {
            if (streams.get(id) !== stream) return;
            streams.delete(id);
            send({ t: 'end', id });
          });
        });
        response.body.on('error', (error) => {
          if (streams.get(id) !== stream) return;
          streams.delete(id);
          sender.fail(error);
          fail(id, error);
        });
      },
      (error: unknown) => {
        if (streams.get(id) !== stream) return;
        streams.delete(id);
        body?.fail(error instanceof Error ? error : new Error(String(error)));
        fail(id, error);
      },
    );
  };

  const onFrame = (received: Frame) => {
    if (received.kind === 'data') {
      const body = streams.get(received.id)?.body;
      if (body && !body.deliver(received.chunk)) ws.close(1002, `beyond credit on stream ${received.id}`);
      return;
    }
    const { frame } = received;
    if (frame.t === 'request') return start(frame);
    if (!('id' in frame)) return void ws.close(1002, `unexpected ${frame.t}`);
    const stream = streams.get(frame.id);
    if (!stream) return;
    if (frame.t === 'end') stream.body?.finish();
    else if (frame.t === 'credit') stream.sender.grant(frame.bytes);
    else if (frame.t === 'error') drop(frame.id, new Error(`cancelled by the caller: ${frame.message}`));
    else ws.close(1002, `unexpected ${frame.t}`);
  };

  ws.on('ping', () => {
    lastHeard = Date.now();
  });
  ws.on('message', (data: Buffer, binary) => {
    lastHeard = Date.now();
    const frames = binary ? readFrames(data) : undefined;
    if (!frames) return void ws.close(1002, 'malformed message');
    for (const frame of frames) onFrame(frame);
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    clearInterval(watchdog);
    const error = new Error('the relay closed');
    for (const id of [...streams.keys()]) drop(id, error);
  });
}
