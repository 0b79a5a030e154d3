/**
 * The HTTP side of cassettes, built on undici's own interceptor machinery: `cassetteDispatcher`
 * is a dispatcher composed (`Dispatcher.compose`) with one interceptor. When recording, the
 * interceptor forwards each request to a real undici Agent and tees the response into the
 * cassette; when replaying, it answers from the cassette and the base dispatcher is an
 * `OfflineDispatcher` (a `Dispatcher` subclass that refuses every request), so nothing can leave
 * the machine. The executor receives it as `ExecuteOptions.dispatcher`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, Dispatcher } from 'undici';

/** A request as the interceptor saw it (body fully read). */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export interface SeenResponse {
  status: number;
  statusText?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the interceptor asks of a cassette session. */
export interface CassetteHandler {
  mode: 'record' | 'replay';
  /** Replay: the recorded response for a request, or throws a CassetteError. */
  answer(request: SeenRequest): SeenResponse;
  /** Record: keep one exchange. */
  record(request: SeenRequest, response: SeenResponse): void;
}

export class OfflineError extends Error {
  readonly code = 'WEFT_OFFLINE';
}

/** A dispatcher that sends nothing: every request fails with `OfflineError`. */
export class OfflineDispatcher extends Dispatcher {
  constructor(private readonly reason = 'no network in this test (replaying a cassette or checking offline)') {
    super();
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new LocalController();
    queueMicrotask(() => {
      handler.onRequestStart?.(controller, {});
      handler.onResponseError?.(
        controller,
        new OfflineError(`${opts.method} ${opts.origin}${opts.path}: ${this.reason}`),
      );
    });
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (callback) return callback();
    return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: unknown, b?: unknown): Promise<void> | void {
    const callback = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (callback) return (callback as () => void)();
    return Promise.resolve();
  }
}

/** The controller handed to handlers for answers that come from a cassette. */
class LocalController implements Dispatcher.DispatchController {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  abort(reason: Error): void {
    this.aborted = true;
    this.reason = reason;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    const key = name.toLowerCase();
    const v = Array.isArray(value) ? value.map(String) : String(value);
    const prev = out[key];
    out[key] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
  };
  if (!headers) return out;
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0]))
      for (const [k, v] of headers as unknown as [string, string][]) add(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) add(k, v);
  }
  return out;
}

async function readBody(body: Dispatcher.DispatchOptions['body']): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
  if (typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Buffer.concat([...(body as Iterable<Uint8Array>)].map((c) => Buffer.from(c)));
  }
  throw new TypeError('cassettes cannot record this kind of request body');
}

/** Passes a response on to the next handler and keeps a copy of it. */
class TeeHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private statusText = '';
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];

  constructor(
    private readonly next: Dispatcher.DispatchHandler,
    private readonly done: (response: SeenResponse) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.next.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: any,
  ): void {
    this.next.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode >= 200) {
      this.status = statusCode;
      this.statusText = statusMessage ?? '';
      this.headers = headers;
    }
    this.next.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
    this.next.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.done({
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      body: Buffer.concat(this.chunks),
    });
    this.next.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.next.onResponseError?.(controller, error);
  }
}

function replay(handler: Dispatcher.DispatchHandler, response: SeenResponse): void {
  const controller = new LocalController();
  const aborted = () => {
    if (controller.aborted) handler.onResponseError?.(controller, controller.reason ?? new Error('aborted'));
    return controller.aborted;
  };
  handler.onRequestStart?.(controller, {});
  if (aborted()) return;
  handler.onResponseStart?.(controller, response.status, response.headers, response.statusText ?? '');
  if (response.body.length && !controller.aborted) handler.onResponseData?.(controller, response.body);
  if (aborted()) return;
  handler.onResponseEnd?.(controller, {});
}

/** The undici interceptor: record through `dispatch`, or answer from the cassette. */
export function cassetteInterceptor(cassette: CassetteHandler): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const url = new URL(opts.path, opts.origin as string).href;
    readBody(opts.body).then(
      (body) => {
        const request: SeenRequest = { method: opts.method, url, headers: headerRecord(opts.headers), body };
        if (cassette.mode === 'replay') {
          let response: SeenResponse;
          try {
            response = cassette.answer(request);
          } catch (error) {
            const controller = new LocalController();
            handler.onRequestStart?.(controller, {});
            handler.onResponseError?.(controller, error as Error);
            return;
          }
          replay(handler, response);
          return;
        }
        const forwarded = { ...opts, body: opts.body === undefined || opts.body === null ? opts.body : body };
        dispatch(forwarded, new TeeHandler(handler, (response) => cassette.record(request, response)));
      },
      (error: Error) => {
        const controller = new LocalController();
        handler.onRequestStart?.(controller, {});
        handler.onResponseError?.(controller, error);
      },
    );
    return true;
  };
}

/** The dispatcher for one loaded connector: an Agent (recording) or offline (replay), with the interceptor. */
export function cassetteDispatcher(cassette: CassetteHandler, agent?: Dispatcher): Dispatcher {
  const base = cassette.mode === 'record' ? (agent ?? new Agent({ keepAliveTimeout: 1000 })) : new OfflineDispatcher();
  return base.compose(cassetteInterceptor(cassette));
}
