/**
 * The agent's end of the tunnel: dial out to the server (`ws`), authenticate with the key, say
 * hello, answer the server's requests (perform.ts) and keep the session alive; when it drops,
 * dial again after an exponential back-off with full jitter (at most 30 s). A refused key ends
 * the agent: it will not start working by itself.
 */
import {
  type ControlFrame,
  CreditReceiver,
  CreditSender,
  connectUrl,
  DEFAULT_HEARTBEAT_MS,
  type Frame,
  FrameWriter,
  MAX_MESSAGE,
  MISSED_HEARTBEATS,
  PROTOCOL_VERSION,
  readFrames,
} from '@weft/platform/agents';
import { WeftError } from '@weft/sdk';
import { WebSocket } from 'ws';
import type { AgentConfig } from './config.js';
import { perform, Targets } from './perform.js';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

/** Full jitter: a random delay up to the capped exponential. */
export function backoff(attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

export interface AgentOptions {
  server: string;
  key: string;
  config: AgentConfig;
  version: string;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

interface Stream {
  body: CreditReceiver | undefined;
  sender: CreditSender;
  abort: (reason: Error) => void;
}

export class AgentRunner {
  private readonly targets: Targets;
  private ws: WebSocket | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: AgentOptions) {
    this.targets = new Targets(options.config.targets);
  }

  /** Runs until `stop()`, or fails when the server refuses the key. */
  async run(): Promise<void> {
    const url = connectUrl(this.options.server);
    let attempt = 0;
    while (!this.stopped) {
      const outcome = await this.session(url);
      if (outcome === 'welcomed') attempt = 0;
      if (this.stopped) break;
      const delay = backoff(attempt++);
      this.options.log('info', `reconnecting in ${(delay / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.targets.close();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close(1000, 'agent stopping');
    this.wake?.();
  }

  /** One session, from dialling to its end. */
  private session(url: URL): Promise<'welcomed' | 'failed'> {
    const { log } = this.options;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${this.options.key}` },
        maxPayload: MAX_MESSAGE,
        handshakeTimeout: 15_000,
      });
      this.ws = ws;
      const streams = new Map<number, Stream>();
      let name = '(unnamed)';
      let welcomed = false;
      let lastHeard = Date.now();
      let watchdog: NodeJS.Timeout | undefined;
      const writer = new FrameWriter((message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(message);
      });
      const send = (frame: ControlFrame) => writer.control(frame);
      ws.on('unexpected-response', (_request, response) => {
        ws.terminate();
        if (response.statusCode === 401) {
          reject(
            new WeftError(
              'USAGE',
              `The server refused the agent key (${url.origin}): it was revoked, rotated or mistyped; create or rotate the agent's key with the API and start again`,
            ),
          );
        } else log('warn', `the server answered ${response.statusCode} instead of taking the agent`);
      });
      ws.on('open', () => {
        const allows = this.options.config.targets.map(({ scheme, host, port }) => ({ scheme, host, port }));
        send({ t: 'hello', protocol: PROTOCOL_VERSION, version: this.options.version, allows });
      });
      ws.on('ping', () => {
        lastHeard = Date.now();
      });
      const onFrame = (received: Frame) => {
        if (received.kind === 'data') {
          const body = streams.get(received.id)?.body;
          if (body && !body.deliver(received.chunk)) ws.close(1002, 'beyond credit');
          return;
        }
        const { frame } = received;
        if (frame.t === 'welcome') {
          welcomed = true;
          name = frame.agent;
          log('info', `connected to ${url.origin} as agent "${name}" (group "${frame.group}")`);
          const limit = frame.heartbeatMs * MISSED_HEARTBEATS;
          watchdog = setInterval(() => {
            if (Date.now() - lastHeard > limit) {
              log('warn', `the server was silent for ${MISSED_HEARTBEATS} heartbeats`);
              ws.terminate();
            }
          }, frame.heartbeatMs);
          return;
        }
        if (frame.t === 'request') return this.start(frame, name, streams, writer);
        if (!('id' in frame)) return;
        const stream = streams.get(frame.id);
        if (!stream) return;
        if (frame.t === 'end') stream.body?.finish();
        else if (frame.t === 'credit') stream.sender.grant(frame.bytes);
        else if (frame.t === 'error') {
          streams.delete(frame.id);
          const error = new Error(`cancelled by the server: ${frame.message}`);
          stream.abort(error);
          stream.sender.fail(error);
          stream.body?.fail(error);
        }
      };
      ws.on('message', (data: Buffer, binary) => {
        lastHeard = Date.now();
        const frames = binary ? readFrames(data) : undefined;
        if (!frames) return void ws.close(1002, 'malformed message');
        for (const frame of frames) onFrame(frame);
      });
      ws.on('error', (error) => log('warn', `connection to ${url.origin}: ${error.message}`));
      ws.on('close', (code) => {
        clearInterval(watchdog);
        const error = new Error('the tunnel closed');
        for (const stream of streams.values()) {
          stream.abort(error);
          stream.sender.fail(error);
          stream.body?.fail(error);
        }
        streams.clear();
        if (welcomed) log('warn', `disconnected from ${url.origin} (${code})`);
        resolve(welcomed ? 'welcomed' : 'failed');
      });
      // No welcome within a heartbeat of dialling: the server is not one, or is stuck.
      setTimeout(() => {
        if (!welcomed) ws.terminate();
      }, DEFAULT_HEARTBEAT_MS * 1.5).unref();
    });
  }

  private start(
    frame: Extract<ControlFrame, { t: 'request' }>,
    agent: string,
    streams: Map<number, Stream>,
    writer: FrameWriter,
  ): void {
    const id = frame.id;
    const send = (f: ControlFrame) => writer.control(f);
    const sender = new CreditSender((chunk) => writer.data(id, chunk));
    const body = frame.body
      ? new CreditReceiver(
          (bytes) => send({ t: 'credit', id, bytes }),
          () => {},
        )
      : undefined;
    const stream: Stream = { body, sender, abort: () => {} };
    streams.set(id, stream);
    perform(this.targets, {
      agent,
      frame,
      body,
      sender,
      send,
      onAbort: (abort) => {
        stream.abort = abort;
      },
      done: () => streams.delete(id),
    });
  }
}
