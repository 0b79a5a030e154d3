/**
 * How the agent performs one request it is sent: only to a target its configuration allows,
 * with undici (one pool per target, with the target's CA and client certificate), the request
 * body streamed in and the response body streamed back under credit. Failures come back as
 * stream errors naming the agent; nothing of a request (headers, bodies) is logged.
 */
import {
  allowed,
  type ControlFrame,
  type CreditReceiver,
  type CreditSender,
  type HeaderList,
} from '@weft/platform/agents';
import { Agent, errors } from 'undici';
import type { Target } from './config.js';

/** Hop-by-hop headers: they belong to one connection, never carried across the tunnel. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'host',
]);

/** undici's own connect timeout, kept unless a target's `timeoutSeconds` sets one. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface Performing {
  agent: string;
  frame: Extract<ControlFrame, { t: 'request' }>;
  /** The request's body, when it has one. */
  body: CreditReceiver | undefined;
  sender: CreditSender;
  send(frame: ControlFrame): void;
  /** Called with what cancels the request once it is under way. */
  onAbort(abort: (reason: Error) => void): void;
  /** Called once, when the stream is over (answered, failed or refused). */
  done(): void;
}

export class Targets {
  private readonly pools = new Map<Target, Agent>();

  constructor(readonly list: readonly Target[]) {}

  /** The configured target of a URL, if it is allowed. */
  find(url: URL): Target | undefined {
    if (!allowed(this.list, url)) return undefined;
    return this.list.find((t) => allowed([t], url));
  }

  poolOf(target: Target): Agent {
    let pool = this.pools.get(target);
    if (!pool) {
      const tls = { ca: target.ca, cert: target.cert, key: target.key };
      const timeout = { timeout: target.timeoutMs ?? CONNECT_TIMEOUT_MS };
      pool = new Agent({ connect: { ...(target.scheme === 'https' ? tls : {}), ...timeout }, connections: 64 });
      this.pools.set(target, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

/** The flat `[name, value, …]` list undici sends as given, hop-by-hop headers left out. */
function headersOut(list: HeaderList): string[] {
  const out: string[] = [];
  for (const [name, value] of list) if (!HOP.has(name.toLowerCase())) out.push(name, value);
  return out;
}

function headersBack(headers: Record<string, string | string[] | undefined>): HeaderList {
  const list: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (HOP.has(name)) continue;
    for (const v of [value ?? []].flat()) list.push([name, v]);
  }
  return list;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * The failure as a stream error: a code the server knows and a message naming the agent, the
 * request and, for a timeout, which wait ran out at which host and after how long.
 */
function failure(
  agent: string,
  where: string,
  wait: { host: string; timeoutMs: number; connectMs: number },
  error: unknown,
): { code: string; message: string } {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const { host, timeoutMs } = wait;
  const timedOut = (what: string) => ({
    code: 'HTTP_TIMEOUT',
    message: `agent "${agent}": ${where} timed out: ${what} (${e.code})`,
  });
  if (e instanceof errors.ConnectTimeoutError) {
    return timedOut(`could not connect to ${host} within ${seconds(wait.connectMs)}`);
  }
  if (e instanceof errors.HeadersTimeoutError) {
    return timedOut(`${host} sent no response within ${seconds(timeoutMs)}`);
  }
  if (e instanceof errors.BodyTimeoutError) {
    return timedOut(`the response body from ${host} stalled for ${seconds(timeoutMs)}`);
  }
  const code = e.cause?.code ?? e.code;
  const detail = e.cause?.message ?? e.message ?? String(error);
  // Node's certificate checks name their failures like OpenSSL's: UNABLE_TO_VERIFY_LEAF_SIGNATURE, …
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_|SIGNATURE/i.test(String(code ?? ''));
  return {
    code: 'HTTP_CONNECTION_FAILED',
    message: `agent "${agent}": ${where} failed${tls ? ' (TLS)' : ''}: ${detail}${code ? ` (${code})` : ''}`,
  };
}

export function perform(targets: Targets, job: Performing): void {
  const { agent, frame } = job;
  const fail = (code: string, message: string) => {
    job.send({ t: 'error', id: frame.id, code, message });
    job.done();
  };
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    fail('REQUEST_INVALID', `agent "${agent}": not a URL`);
    return;
  }
  const where = `${frame.method} ${url.origin}${url.pathname}`;
  const target = targets.find(url);
  if (!target) {
    job.body?.destroy();
    const port = url.port || (url.protocol === 'https:' ? 443 : 80);
    fail(
      'AGENT_HOST_NOT_ALLOWED',
      `agent "${agent}" may not reach ${url.protocol}//${url.host}: its configuration does not list ${url.hostname} port ${port} (${url.protocol.slice(0, -1)})`,
    );
    return;
  }
  // The request's own timeout, shortened by the target's `timeoutSeconds`.
  const timeoutMs = Math.min(frame.timeoutMs, target.timeoutMs ?? frame.timeoutMs);
  let over = false;
  const finish = (error?: unknown) => {
    if (over) return;
    over = true;
    if (error === undefined) {
      job.send({ t: 'end', id: frame.id });
      job.done();
    } else {
      const { code, message } = failure(
        agent,
        where,
        { host: url.host, timeoutMs, connectMs: target.timeoutMs ?? CONNECT_TIMEOUT_MS },
        error,
      );
      fail(code, message);
    }
  };
  // undici's dispatch, bare: no Readable, no AbortSignal, the body pushed under credit.
  targets.poolOf(target).dispatch(
    {
      origin: url.origin,
      path: url.pathname + url.search,
      method: frame.method as 'GET',
      headers: headersOut(frame.headers),
      body: job.body ?? null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
    {
      onRequestStart(controller) {
        job.onAbort((reason) => {
          over = true;
          controller.abort(reason);
        });
      },
      onResponseStart(_controller, status, headers) {
        if (status < 200 || over) return;
        job.send({ t: 'response', id: frame.id, status, headers: headersBack(headers) });
      },
      onResponseData(controller, chunk) {
        if (over) return;
        if (!job.sender.write(chunk)) {
          controller.pause();
          job.sender.onDrain(() => controller.resume());
        }
      },
      onResponseEnd() {
        job.sender.onDrain(() => finish());
      },
      onResponseError(_controller, error) {
        finish(error);
      },
    },
  );
}
