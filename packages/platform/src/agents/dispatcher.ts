/**
 * An undici `Dispatcher` whose requests go through an agent group (`hub.request(group, …)`, or
 * any `AgentCarrier`: `weft exec --agent` gives an agent performing in-process), so
 * the SDK's HTTP pipeline can send a connection's HTTP through the tunnel unchanged. It serves
 * both handler styles undici uses: the controller one (`onRequestStart`, `onResponseStart`, …,
 * what the SDK's hot path calls) and the older one (`onConnect`, `onHeaders`, …, what undici's
 * own `request()` passes to a custom dispatcher). The response body streams: `pause()` stops
 * reading, which stops granting credit, which stops the agent.
 */
import { Dispatcher } from 'undici';
import { controllerStyle, headerList, toHeaders } from './dispatch-handler.js';
import type { AgentRequest, AgentResponse } from './session.js';

/** What carries a request through an agent of a group: the server's `AgentHub`, or a local agent. */
export interface AgentCarrier {
  request(group: string, request: AgentRequest): Promise<AgentResponse>;
}

type Controller = Dispatcher.DispatchController;

function bodyOf(body: unknown): AgentRequest['body'] {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return body as AsyncIterable<Uint8Array>;
  }
  throw new TypeError('a request through an agent takes a string, bytes or a stream as its body');
}

export class AgentDispatcher extends Dispatcher {
  /** How a timeout of Weft's own deadline names this route (the SDK reads it: `routeOf`). */
  readonly via: string;

  constructor(
    private readonly hub: AgentCarrier,
    readonly group: string,
    private readonly options: { timeoutMs?: number; via?: string } = {},
  ) {
    super();
    this.via = options.via ?? `agent group "${group}"`;
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
