/**
 * The server's end of a host's relayed HTTP (the host's end is relay-dispatcher.ts): each `http`
 * message is sent through the dispatcher of the run that asked (`RunOptions.dispatcher`, e.g. a
 * connection's agent group), its request body read from the host's `http-body` messages as
 * the dispatcher pulls it, its response passed back chunk by chunk. The dispatcher is paused
 * while `STREAM_WINDOW` chunks wait for the host's credit, so nothing is buffered whole.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { RunOptions } from '@weft/sdk/operations';
import type { Dispatcher } from 'undici';
import type { FromHost, HeaderPairs, RelayedRequest, ToHost } from './protocol.js';
import { STREAM_WINDOW } from './protocol.js';
import { StreamReader } from './stream-reader.js';
import { fromWire, toWire } from './wire-errors.js';

type FromHostHttp = Extract<FromHost, { t: 'http-body' | 'http-body-end' | 'http-more' | 'http-abort' }>;

interface Serving {
  controller?: Dispatcher.DispatchController;
  body?: StreamReader;
  /** Response chunks sent and not yet granted back by the host. */
  unacknowledged: number;
  /** Set once the request ended or failed (then the host is told nothing more). */
  done: boolean;
  /** An abort that arrived before the dispatcher gave its controller. */
  aborted?: Error;
}

function pairsOf(headers: IncomingHttpHeaders): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of [value ?? []].flat()) pairs.push([name, String(v)]);
  }
  return pairs;
}

function bodyBytes(body: Uint8Array | undefined): Buffer | undefined {
  return body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
}

/** One per host. */
export class HttpRelay {
  private readonly serving = new Map<number, Serving>();

  constructor(private readonly send: (message: ToHost) => void) {}

  /** Sends the host's request through the run's dispatcher (`options`, undefined when the run is gone). */
  start(message: RelayedRequest, options: RunOptions | undefined): void {
    const { req } = message;
    const dispatcher = options?.dispatcher;
    if (!dispatcher) {
      const error = new Error('the run that sent this request has ended, or has no dispatcher');
      this.send({ t: 'http-error', req, error: toWire(error) });
      return;
    }
    const state: Serving = { unacknowledged: 0, done: false };
    this.serving.set(req, state);
    if (message.streamed) {
      state.body = new StreamReader((chunks) => this.send({ t: 'http-more', req, chunks }));
    }
    const finish = (outcome: ToHost) => {
      if (state.done) return;
      state.done = true;
      this.serving.delete(req);
      state.body?.fail(new Error('the request ended'));
      this.send(outcome);
    };
    const flat: string[] = [];
    for (const [name, value] of message.headers) flat.push(name, value);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (controller) => {
        state.controller = controller;
        if (state.aborted) controller.abort(state.aborted);
      },
      onResponseStart: (_c, status, headers) => {
        if (status < 200 || state.done) return;
        this.send({ t: 'http-head', req, status, headers: pairsOf(headers) });
      },
      onResponseData: (controller, chunk) => {
        if (state.done) return;
        this.send({ t: 'http-data', req, data: chunk });
        if (++state.unacknowledged >= STREAM_WINDOW) controller.pause();
      },
      onResponseEnd: () => finish({ t: 'http-end', req }),
      onResponseError: (_c, error) => finish({ t: 'http-error', req, error: toWire(error) }),
    };
    try {
      const url = new URL(message.url);
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: message.method as Dispatcher.HttpMethod,
          headers: flat,
          body: state.body ? Readable.from(state.body, { objectMode: false }) : bodyBytes(message.body),
          headersTimeout: message.headersTimeout,
          bodyTimeout: message.bodyTimeout,
        },
        handler,
      );
    } catch (error) {
      finish({ t: 'http-error', req, error: toWire(error) });
    }
  }

  receive(message: FromHostHttp): void {
    const state = this.serving.get(message.req);
    if (!state) return;
    switch (message.t) {
      case 'http-body':
        state.body?.push(message.data);
        return;
      case 'http-body-end':
        state.body?.end();
        return;
      case 'http-more':
        state.unacknowledged -= message.chunks;
        if (state.unacknowledged < STREAM_WINDOW && state.controller?.paused) state.controller.resume();
        return;
      case 'http-abort': {
        const error = fromWire(message.error);
        state.done = true;
        this.serving.delete(message.req);
        state.body?.fail(error);
        if (state.controller) state.controller.abort(error);
        else state.aborted = error;
        return;
      }
    }
  }

  /** The host is gone: every request it relayed is aborted. */
  failAll(error: Error): void {
    for (const [req, state] of this.serving) {
      this.serving.delete(req);
      state.done = true;
      state.body?.fail(error);
      state.controller?.abort(error);
    }
  }
}
