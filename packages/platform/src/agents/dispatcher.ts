/**
 * An undici `Dispatcher` whose requests go through an agent group (`hub.request(group, …)`), so
 * the SDK's HTTP pipeline can send a connection's HTTP through the tunnel unchanged. It serves
 * both handler styles undici uses: the controller one (`onRequestStart`, `onResponseStart`, …,
 * what the SDK's hot path calls) and the older one (`onConnect`, `onHeaders`, …, what undici's
 * own `request()` passes to a custom dispatcher). The response body streams: `pause()` stops
 * reading, which stops granting credit, which stops the agent.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Dispatcher } from 'undici';
import type { AgentHub } from './hub.js';
import type { HeaderList } from './protocol.js';
import type { AgentRequest } from './session.js';

type Controller = Dispatcher.DispatchController;

/** The controller-style calls, whatever style the caller's handler has. */
interface Handler {
  onRequestStart(controller: Controller, context: unknown): void;
  onResponseStart(controller: Controller, status: number, headers: IncomingHttpHeaders, message: string): void;
  onResponseData(controller: Controller, chunk: Buffer): void;
  onResponseEnd(controller: Controller, trailers: IncomingHttpHeaders): void;
  onResponseError(controller: Controller, error: Error): void;
}

interface LegacyHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders?(status: number, raw: Buffer[], resume: () => void, message: string): boolean | undefined;
  onData?(chunk: Buffer): boolean | undefined;
  onComplete?(trailers: Buffer[]): void;
  onError?(error: Error): void;
}

function controllerStyle(handler: Dispatcher.DispatchHandler): Handler {
  if (typeof handler.onRequestStart === 'function') return handler as Handler;
  const old = handler as LegacyHandler;
  return {
    onRequestStart: (c, context) => old.onConnect?.((reason) => c.abort(reason ?? new Error('aborted')), context),
    onResponseStart: (c, status, headers, message) => {
      const raw: Buffer[] = [];
      for (const [name, value] of Object.entries(headers)) {
        for (const v of [value ?? []].flat()) raw.push(Buffer.from(name, 'latin1'), Buffer.from(String(v), 'latin1'));
      }
      if (old.onHeaders?.(status, raw, () => c.resume(), message) === false) c.pause();
    },
    onResponseData: (c, chunk) => {
      if (old.onData?.(chunk) === false) c.pause();
    },
    onResponseEnd: () => old.onComplete?.([]),
    onResponseError: (_c, error) => old.onError?.(error),
  };
}

function headerList(headers: Dispatcher.DispatchOptions['headers']): HeaderList {
  const list: HeaderList = [];
  if (!headers) return list;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) list.push([String(headers[i]), String(headers[i + 1])]);
    return list;
  }
  const entries =
    Symbol.iterator in headers ? [...(headers as Iterable<[string, string | string[]]>)] : Object.entries(headers);
  for (const [name, value] of entries) {
    for (const v of [value ?? []].flat()) list.push([name, String(v)]);
  }
  return list;
}

function bodyOf(body: unknown): AgentRequest['body'] {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return body as AsyncIterable<Uint8Array>;
  }
  throw new TypeError('a request through an agent takes a string, bytes or a stream as its body');
}

function toHeaders(list: HeaderList): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const [rawName, value] of list) {
    const name = rawName.toLowerCase();
    const had = headers[name];
    headers[name] = had === undefined ? value : [had, value].flat();
  }
  return headers;
}

export class AgentDispatcher extends Dispatcher {
  constructor(
    private readonly hub: AgentHub,
    readonly group: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, given: Dispatcher.DispatchHandler): boolean {
    const handler = controllerStyle(given);
    let aborted: Error | undefined;
    let paused = false;
    let stream: (NodeJS.ReadableStream & { destroy(error?: Error): void }) | undefined;
    const controller: Controller = {
      abort(reason: Error) {
        if (aborted) return;
        aborted = reason;
        stream?.destroy(reason);
        handler.onResponseError(controller, reason);
      },
      pause() {
        paused = true;
        stream?.pause();
      },
      resume() {
        paused = false;
        stream?.resume();
      },
      get paused() {
        return paused;
      },
      get aborted() {
        return aborted !== undefined;
      },
      get reason() {
        return aborted ?? null;
      },
    };
    handler.onRequestStart(controller, {});
    if (aborted) return true;
    const url = new URL(options.path, options.origin ?? undefined).href;
    let request: AgentRequest;
    try {
      request = {
        method: options.method,
        url,
        headers: headerList(options.headers),
        body: bodyOf(options.body),
        timeoutMs: options.headersTimeout ?? this.options.timeoutMs,
      };
    } catch (error) {
      handler.onResponseError(controller, error as Error);
      return true;
    }
    this.hub.request(this.group, request).then(
      (response) => {
        if (aborted) return void response.body.destroy();
        stream = response.body;
        handler.onResponseStart(controller, response.status, toHeaders(response.headers), '');
        response.body.on('data', (chunk: Buffer) => {
          if (!aborted) handler.onResponseData(controller, chunk);
        });
        response.body.on('end', () => {
          if (!aborted) handler.onResponseEnd(controller, {});
        });
        response.body.on('error', (error) => {
          if (!aborted) handler.onResponseError(controller, error);
        });
        if (paused) response.body.pause();
      },
      (error: Error) => {
        if (!aborted) handler.onResponseError(controller, error);
      },
    );
    return true;
  }

  override async close(): Promise<void> {}

  override async destroy(): Promise<void> {}
}
