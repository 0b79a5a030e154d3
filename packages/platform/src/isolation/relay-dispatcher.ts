/**
 * The host's end of `RunOptions.dispatcher` across the host boundary (the server's end is
 * http-relay.ts). A run whose server options carry a dispatcher (a connection's agent group)
 * gets a `RelayDispatcher` here: each request it is given goes to the server as an `http`
 * message, and the server sends it through the real dispatcher. Bodies stream both ways under
 * credit, counted in chunks: at most `STREAM_WINDOW` chunks of a body are on their way before
 * the receiver asks for more, so a 50 MB upload or download never sits whole in either process.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Dispatcher } from 'undici';
import { controllerStyle, type Handler, headerList, toHeaders } from '../agents/dispatch-handler.js';
import { type FromHost, type RelayedRequest, STREAM_WINDOW, type ToHost } from './protocol.js';
import { fromWire, toWire } from './wire-errors.js';

type Controller = Dispatcher.DispatchController;
type FromServer = Extract<ToHost, { t: 'http-head' | 'http-data' | 'http-end' | 'http-error' | 'http-more' }>;

/** Bodies up to this size go whole in the request message; larger ones are streamed in slices. */
const INLINE_BYTES = 256 * 1024;
const SLICE_BYTES = 64 * 1024;

interface Relayed {
  handler: Handler;
  controller: Controller;
  /** Request body chunks the host may still send, and the wake-up of the sender waiting for credit. */
  credit: number;
  wake?: () => void;
  /** Response chunks received while the caller paused. */
  held: Buffer[];
  paused: boolean;
  delivered: number;
  ended?: 'end' | Error;
  done: boolean;
}

export class HttpRelayClient {
  private next = 1;
  private readonly requests = new Map<number, Relayed>();

  constructor(private readonly send: (message: FromHost) => void) {}

  /** The dispatcher of the run `id`, named as the server's dispatcher is (`via`). */
  dispatcherFor(id: number, via?: string): Dispatcher {
    return new RelayDispatcher(this, id, via);
  }

  start(id: number, options: Dispatcher.DispatchOptions, given: Dispatcher.DispatchHandler): void {
    const handler = controllerStyle(given);
    const req = this.next++;
    const relay = this.requests;
    const send = this.send;
    const state: Relayed = {
      handler,
      credit: STREAM_WINDOW,
      held: [],
      paused: false,
      delivered: 0,
      done: false,
      controller: {
        abort(reason: Error) {
          if (state.done) return;
          state.done = true;
          relay.delete(req);
          send({ t: 'http-abort', req, error: toWire(reason) });
          state.wake?.();
          handler.onResponseError(state.controller, reason);
        },
        pause() {
          state.paused = true;
        },
        resume: () => {
          state.paused = false;
          this.drain(req, state);
        },
        get paused() {
          return state.paused;
        },
        get aborted() {
          return state.done && state.ended === undefined;
        },
        get reason() {
          return null;
        },
      },
    };
    handler.onRequestStart(state.controller, {});
    if (state.done) return;
    const message: RelayedRequest = {
      t: 'http',
      id,
      req,
      method: options.method,
      url: new URL(options.path, options.origin ?? undefined).href,
      headers: headerList(options.headers),
    };
    if (typeof options.headersTimeout === 'number') message.headersTimeout = options.headersTimeout;
    if (typeof options.bodyTimeout === 'number') message.bodyTimeout = options.bodyTimeout;
    const body = options.body;
    this.requests.set(req, state);
    if (body === null || body === undefined) {
      send(message);
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? body : undefined;
    if (bytes && bytes.byteLength <= INLINE_BYTES) {
      send({ ...message, body: bytes });
      return;
    }
    send({ ...message, streamed: true });
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = bytes
      ? slices(bytes)
      : (body as AsyncIterable<Uint8Array>);
    this.pump(req, state, chunks).catch((error: Error) => state.controller.abort(error));
  }

  private async pump(req: number, state: Relayed, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    for await (const chunk of chunks) {
      while (state.credit <= 0 && !state.done) {
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
      }
      if (state.done) return;
      state.credit--;
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.send({ t: 'http-body', req, data });
    }
    if (!state.done) this.send({ t: 'http-body-end', req });
  }

  receive(message: FromServer): void {
    const state = this.requests.get(message.req);
    if (!state) return;
    switch (message.t) {
      case 'http-more':
        state.credit += message.chunks;
        state.wake?.();
        state.wake = undefined;
        return;
      case 'http-head':
        state.handler.onResponseStart(state.controller, message.status, headersOf(message.headers), '');
        return;
      case 'http-data':
        state.held.push(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
        this.drain(message.req, state);
        return;
      case 'http-end':
        state.ended = 'end';
        this.drain(message.req, state);
        return;
      case 'http-error':
        state.ended = fromWire(message.error);
        this.drain(message.req, state);
        return;
    }
  }

  /** Passes on what arrived while the caller is not paused; asks for more as chunks are passed on. */
  private drain(req: number, state: Relayed): void {
    while (!state.paused && !state.done && state.held.length) {
      state.handler.onResponseData(state.controller, state.held.shift()!);
      if (++state.delivered % (STREAM_WINDOW / 2) === 0) this.send({ t: 'http-more', req, chunks: STREAM_WINDOW / 2 });
    }
    if (state.done || state.held.length || state.ended === undefined) return;
    state.done = true;
    this.requests.delete(req);
    state.wake?.();
    if (state.ended === 'end') state.handler.onResponseEnd(state.controller, {});
    else state.handler.onResponseError(state.controller, state.ended);
  }
}

function* slices(bytes: Uint8Array): Iterable<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES);
}

function headersOf(pairs: [string, string][]): IncomingHttpHeaders {
  return toHeaders(pairs);
}

class RelayDispatcher extends Dispatcher {
  constructor(
    private readonly client: HttpRelayClient,
    private readonly id: number,
    readonly via?: string,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.client.start(this.id, options, handler);
    return true;
  }

  override async close(): Promise<void> {}

  override async destroy(): Promise<void> {}
}
