/**
 * The server's end of one agent session: one WebSocket, many streams (protocol.ts). A request
 * sends its head and streams its body under credit; its answer arrives as a head and a body
 * Readable. The session's death fails every stream it carries with `AGENT_DISCONNECTED`.
 */
import type { WebSocket } from 'ws';
import { agentDisconnected, agentStreamError } from './errors.js';
import { CreditReceiver, CreditSender } from './flow.js';
import { type AllowedTarget, type ControlFrame, type HeaderList, MISSED_HEARTBEATS } from './protocol.js';
import { type Frame, FrameWriter, readFrames } from './wire.js';

/** A request to carry through an agent. */
export interface AgentRequest {
  method: string;
  url: string;
  headers?: HeaderList;
  body?: AsyncIterable<Uint8Array | string> | Uint8Array | string;
  /** How long the agent waits for the target (headers, then between body bytes); default 60 s. */
  timeoutMs?: number;
}

export interface AgentResponse {
  /** The agent that carried it. */
  agent: string;
  status: number;
  headers: HeaderList;
  /** The body as it streams in; destroying it cancels the request at the agent. */
  body: CreditReceiver;
}

interface Stream {
  sender: CreditSender;
  receiver?: CreditReceiver;
  resolve(response: AgentResponse): void;
  reject(error: Error): void;
}

export interface SessionInfo {
  agent: string;
  group: string;
  keyHash: string;
  version: string;
  allows: AllowedTarget[];
}

export interface SessionHooks {
  /** A stream ended: served (a response came back whole) or failed with this error. */
  onStreamDone(session: AgentSession, failure?: Error): void;
  onClose(session: AgentSession): void;
  /**
   * The errors of the session's streams (default: the agent's own, errors.ts). A relay to a
   * peer process (relay.ts) passes the peer's codes and messages on as they came.
   */
  errors?: SessionErrors;
}

export interface SessionErrors {
  /** The other end sent `error` on a stream. */
  stream(code: string, message: string): Error;
  /** The session died with streams under way. */
  disconnected(why: string): Error;
}

export class AgentSession {
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private lastHeard = Date.now();
  private readonly heartbeat: NodeJS.Timeout;
  private closedWith: string | undefined;
  private readonly writer: FrameWriter;
  readonly connectedAt = new Date().toISOString();
  private readonly errors: SessionErrors;

  constructor(
    private readonly ws: WebSocket,
    readonly info: SessionInfo,
    heartbeatMs: number,
    private readonly hooks: SessionHooks,
  ) {
    this.errors = hooks.errors ?? {
      stream: (code, message) => agentStreamError(info.agent, code, message),
      disconnected: (why) => agentDisconnected(info.agent, why),
    };
    this.writer = new FrameWriter((message) => {
      if (this.open) ws.send(message);
    });
    ws.on('message', (data, binary) => this.onMessage(data as Buffer, binary));
    ws.on('pong', () => this.heard());
    ws.on('close', (code, reason) => this.closed(`connection closed, ${code}${reason.length ? ` ${reason}` : ''}`));
    ws.on('error', (error) => this.closed(error.message));
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > heartbeatMs * MISSED_HEARTBEATS) {
        this.closed(`silent for ${MISSED_HEARTBEATS} heartbeats`);
        ws.terminate();
        return;
      }
      ws.ping();
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  get agent(): string {
    return this.info.agent;
  }

  /** Requests under way. */
  get inFlight(): number {
    return this.streams.size;
  }

  get open(): boolean {
    return this.closedWith === undefined;
  }

  request(request: AgentRequest): Promise<AgentResponse> {
    if (!this.open) return Promise.reject(this.errors.disconnected(this.closedWith ?? 'closed'));
    const id = this.nextId++;
    return new Promise<AgentResponse>((resolve, reject) => {
      const sender = new CreditSender((chunk) => this.writer.data(id, chunk));
      this.streams.set(id, { sender, resolve, reject });
      const { body } = request;
      this.send({
        t: 'request',
        id,
        method: request.method,
        url: request.url,
        headers: request.headers ?? [],
        timeoutMs: request.timeoutMs ?? 60_000,
        body: body !== undefined,
      });
      if (body === undefined) return;
      const pieces = typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
      sender.send(pieces).then(
        () => this.streams.has(id) && this.send({ t: 'end', id }),
        (error: Error) => this.cancel(id, error),
      );
    });
  }

  /**
   * Closes the session (revoked, rotated, server stopping): its streams fail. Resolves once the
   * socket is closed: after the agent's answer, or cut after a second without one.
   */
  close(why: string): Promise<void> {
    this.writer.flush();
    this.closed(why);
    const { ws } = this;
    if (ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1008, why.slice(0, 120));
    });
  }

  private send(frame: ControlFrame): void {
    if (this.open) this.writer.control(frame);
  }

  private heard(): void {
    this.lastHeard = Date.now();
  }

  /** The caller gave up on a stream (its body failed or its reader went away). */
  private cancel(id: number, error: Error | null): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.send({ t: 'error', id, code: 'CANCELLED', message: error?.message ?? 'the caller went away' });
    this.finish(id, error ?? new Error('cancelled'));
  }

  private finish(id: number, failure?: Error): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    if (failure) {
      stream.sender.fail(failure);
      stream.reject(failure);
      stream.receiver?.fail(failure);
    }
    this.hooks.onStreamDone(this, failure);
  }

  private onMessage(data: Buffer, binary: boolean): void {
    this.heard();
    const frames = binary ? readFrames(data) : undefined;
    if (!frames) {
      void this.close('the agent sent a message this server does not understand');
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(received: Frame): void {
    if (received.kind === 'data') {
      const stream = this.streams.get(received.id);
      if (!stream?.receiver) return;
      if (!stream.receiver.deliver(received.chunk)) {
        void this.close(`the agent sent beyond its credit on stream ${received.id}`);
      }
      return;
    }
    const { frame } = received;
    if (!('id' in frame)) return;
    const stream = this.streams.get(frame.id);
    if (!stream) return;
    switch (frame.t) {
      case 'response': {
        if (stream.receiver) return;
        const id = frame.id;
        stream.receiver = new CreditReceiver(
          (bytes) => this.send({ t: 'credit', id, bytes }),
          (error) => this.cancel(id, error),
        );
        stream.resolve({ agent: this.agent, status: frame.status, headers: frame.headers, body: stream.receiver });
        return;
      }
      case 'end':
        if (!stream.receiver) {
          this.finish(frame.id, this.errors.stream('AGENT_ERROR', 'ended before answering'));
          return;
        }
        this.streams.delete(frame.id);
        stream.receiver.finish();
        this.hooks.onStreamDone(this);
        return;
      case 'credit':
        stream.sender.grant(frame.bytes);
        return;
      case 'error':
        this.finish(frame.id, this.errors.stream(frame.code, frame.message));
        return;
    }
  }

  private closed(why: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = why;
    clearInterval(this.heartbeat);
    for (const id of [...this.streams.keys()]) this.finish(id, this.errors.disconnected(why));
    this.hooks.onClose(this);
  }
}
