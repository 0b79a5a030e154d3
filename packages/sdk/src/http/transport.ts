/**
 * The wire: pooled undici dispatchers, one hop under an attempt's deadline, and errors turned
 * into WeftErrors (the pipeline's transport and redirect steps use these). One shared keep-alive Agent serves plain requests; each distinct TLS
 * client certificate gets its own Agent (cached by a hash of the certificate material).
 * Redirects are followed by the pipeline's redirect step (not undici's interceptor) so the
 * common path stays lean.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import { isWeftError, WeftError } from '../errors.js';
import type { HttpMethod, TlsClientCert } from './types.js';

export const MAX_REDIRECTS = 5;

const require = createRequire(import.meta.url);
let AgentClass: typeof Agent | undefined;

/**
 * undici's Agent alone: loading the whole package index costs ~3x more start-up time (fetch,
 * WebSocket, caches, mocks) and `weft exec` pays it on every run. Falls back to the index if
 * the package layout ever moves.
 */
function agentClass(): typeof Agent {
  if (!AgentClass) {
    try {
      AgentClass = require('undici/lib/dispatcher/agent.js') as typeof Agent;
    } catch {
      AgentClass = (require('undici') as typeof import('undici')).Agent;
    }
  }
  return AgentClass;
}

let shared: Agent | undefined;
const tlsAgents = new Map<string, Agent>();

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function tlsKey(cert: TlsClientCert): string {
  const h = createHash('sha256');
  for (const part of [
    cert.certificate,
    cert.key,
    cert.passphrase ?? '',
    ...list(cert.intermediates),
    '|',
    ...list(cert.ca),
  ]) {
    h.update(part);
    h.update('\0');
  }
  return h.digest('hex');
}

function tlsAgent(cert: TlsClientCert): Agent {
  const key = tlsKey(cert);
  let agent = tlsAgents.get(key);
  if (!agent) {
    const chain = [cert.certificate, ...list(cert.intermediates)].map((pem) => pem.trim()).join('\n');
    const ca = list(cert.ca);
    agent = new (agentClass())({
      connect: {
        cert: chain,
        key: cert.key,
        passphrase: cert.passphrase,
        // Extra CAs add to the system roots rather than replacing them.
        ...(ca.length > 0 ? { ca: [...rootCertificates, ...ca] } : {}),
      },
    });
    tlsAgents.set(key, agent);
  }
  return agent;
}

/** The dispatcher for one request. A dispatcher from the environment (tests, cassettes) wins over TLS. */
export function dispatcherFor(options: { env?: Dispatcher; tls?: TlsClientCert }): Dispatcher {
  if (options.env) return options.env;
  if (options.tls) return tlsAgent(options.tls);
  shared ??= new (agentClass())({ keepAliveTimeout: 10_000 });
  return shared;
}

/**
 * The route a dispatcher given in the environment names in its `via` string, if any: one that
 * carries requests elsewhere (an on-premises agent tunnel: `agent group "plant"`) says so, and
 * a timeout then names it.
 */
export function routeOf(dispatcher: Dispatcher | undefined): string | undefined {
  const via = (dispatcher as { via?: unknown } | undefined)?.via;
  return typeof via === 'string' && via ? via : undefined;
}

/** Closes every pooled dispatcher (the CLI calls this before exiting). Later requests open new ones. */
export async function closeHttp(): Promise<void> {
  const agents = [...(shared ? [shared] : []), ...tlsAgents.values()];
  shared = undefined;
  tlsAgents.clear();
  await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
}

// ---------------------------------------------------------------------------------------------

/** A request body as it goes on the wire. */
export type WireBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;
type Body = WireBody;

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
  /** The buffered body (absent when streaming). */
  bytes?: Buffer;
  /** The body stream (only when streaming). */
  stream?: Readable;
}

const EMPTY = Buffer.alloc(0);

/** The deadline of one attempt: whatever is in flight when it passes is aborted. */
export class Deadline {
  expired = false;
  /** Created only when the deadline passes (an Error per request would cost a stack trace each). */
  error: Error | undefined;
  private timer: NodeJS.Timeout;
  private cancel: ((error: Error) => void) | undefined;

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.error = new Error(`no response within ${ms} ms`);
      this.cancel?.(this.error);
    }, ms);
  }

  /** Registers how to abort the current hop. */
  onExpire(cancel: ((error: Error) => void) | undefined): void {
    this.cancel = cancel;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Buffers one response with a bare dispatch handler: no Readable, no AbortController. This is the
 * hot path, kept as close to the socket as undici allows.
 */
export function bufferOnce<R = WireResponse>(
  dispatcher: Dispatcher,
  url: URL,
  method: string,
  headers: string[] | undefined,
  body: Body | undefined,
  deadline: Deadline,
  /** Turns the response into what the promise resolves to (saves a `.then` on the hot path). */
  wrap: (response: WireResponse) => R = (response) => response as R,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    let chunks: Buffer[] | undefined;
    let single: Buffer | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      controller?.abort(error);
      reject(error);
    };
    deadline.onExpire(fail);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(deadline.error ?? new Error('cancelled'));
      },
      onResponseStart(_c, statusCode, h) {
        if (statusCode < 200) return; // 1xx informational
        status = statusCode;
        responseHeaders = h;
      },
      onResponseData(_c, chunk) {
        if (single === undefined && chunks === undefined) single = chunk;
        else {
          chunks ??= [single!];
          chunks.push(chunk);
        }
      },
      onResponseEnd() {
        if (settled) return;
        settled = true;
        const bytes = chunks ? Buffer.concat(chunks) : (single ?? EMPTY);
        resolve(wrap({ status, headers: responseHeaders, url: url.href, bytes }));
      },
      onResponseError(_c, error) {
        if (settled) return;
        settled = true;
        reject(error);
      },
    };
    try {
      dispatcher.dispatch(
        { origin: url.origin, path: url.pathname + url.search, method, headers, body: body as any },
        handler,
      );
    } catch (error) {
      fail(error as Error);
    }
  });
}

export async function streamOnce(
  dispatcher: Dispatcher,
  url: URL,
  method: HttpMethod,
  headers: string[] | undefined,
  body: Body | undefined,
  deadline: Deadline,
  timeoutMs: number,
): Promise<WireResponse> {
  const controller = new AbortController();
  deadline.onExpire((error) => controller.abort(error));
  const { request } = await import('undici');
  const res = await request(url, {
    method,
    headers,
    body: body as any,
    dispatcher,
    signal: controller.signal,
    bodyTimeout: timeoutMs,
  });
  deadline.onExpire(undefined);
  return { status: res.statusCode, headers: res.headers, url: url.href, stream: res.body };
}

const noop = () => {};

/** Drops a response body we do not need, keeping the connection usable when the body is small. */
export function discard(stream: Readable): void {
  stream.on('error', noop);
  const dump = (stream as Readable & { dump?: () => Promise<void> }).dump;
  if (typeof dump === 'function') dump.call(stream).catch(noop);
  else stream.destroy();
}

const CONNECTION_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  ENOTFOUND: 'host not found (DNS lookup failed)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed unexpectedly',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
};

function codeOf(error: unknown): { code?: string; message: string } {
  let e: any = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (
      typeof e.code === 'string' &&
      e.code !== 'UND_ERR' &&
      (CONNECTION_MESSAGES[e.code] ||
        e.code.startsWith('E') ||
        e.code.includes('CERT') ||
        e.code.startsWith('ERR_TLS') ||
        e.code.startsWith('ERR_SSL'))
    ) {
      return { code: e.code, message: e.message };
    }
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else e = e.cause;
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Codes a dispatcher may fail a request with that say more than "connection failed" (an agent's). */
const DISPATCHER_CODES: ReadonlySet<string> = new Set([
  'AGENT_OFFLINE',
  'AGENT_DISCONNECTED',
  'AGENT_HOST_NOT_ALLOWED',
  'AGENT_ERROR',
  'HTTP_CONNECTION_FAILED',
  'HTTP_TIMEOUT',
]);

export function wireError(error: unknown, where: string): WeftError {
  // A dispatcher's own WeftError (an agent tunnel's) keeps its code: the job's retry rules know it.
  // Its message names the request already when it says what failed (`agent "x": GET … timed out`).
  if (isWeftError(error) && DISPATCHER_CODES.has(error.code)) {
    const message = error.message.includes(where) ? error.message : `${where}: ${error.message}`;
    return new WeftError(error.code, message, { cause: error });
  }
  const e = error as any;
  if (typeof e?.message === 'string' && e.message.startsWith('Redirect loop detected')) {
    return new WeftError(
      'HTTP_ERROR',
      `${where}: redirect loop detected (a URL redirects back to one already visited)`,
      { cause: error },
    );
  }
  if (e?.code === 'UND_ERR_INVALID_ARG' || e?.code === 'ERR_INVALID_URL' || e?.name === 'InvalidArgumentError') {
    return new WeftError('REQUEST_INVALID', `${where}: ${e.message}`, { cause: error });
  }
  const { code, message } = codeOf(error);
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new WeftError('HTTP_TIMEOUT', `${where}: ${CONNECTION_MESSAGES[code]}`, { cause: error });
  }
  const text = code
    ? (CONNECTION_MESSAGES[code] ?? (/CERT|TLS|SSL/.test(code) ? `TLS error: ${message}` : message))
    : message;
  return new WeftError('HTTP_CONNECTION_FAILED', `${where}: ${text}${code ? ` (${code})` : ''}`, { cause: error });
}
