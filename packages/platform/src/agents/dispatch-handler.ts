/**
 * What a custom undici `Dispatcher` needs to serve undici's callers: handlers of either style as
 * the controller style (`onRequestStart`, `onResponseStart`, …, what the SDK's hot path calls)
 * even when given the older one (`onConnect`, `onHeaders`, …, what undici's own `request()`
 * passes), and headers as a list and back. Shared by the agent tunnel's dispatcher and the
 * connector hosts' relay dispatcher.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { HeaderList } from './protocol.js';

type Controller = Dispatcher.DispatchController;

/** The controller-style calls, whatever style the caller's handler has. */
export interface Handler {
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

export function controllerStyle(handler: Dispatcher.DispatchHandler): Handler {
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

export function headerList(headers: Dispatcher.DispatchOptions['headers']): HeaderList {
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

export function toHeaders(list: HeaderList): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const [rawName, value] of list) {
    const name = rawName.toLowerCase();
    const had = headers[name];
    headers[name] = had === undefined ? value : [had, value].flat();
  }
  return headers;
}
