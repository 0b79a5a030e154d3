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
import { Agent, errors, request } from 'undici';
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

export interface Performing {
  agent: string;
  frame: Extract<ControlFrame, { t: 'request' }>;
  /** The request's body, when it has one. */
  body: CreditReceiver | undefined;
  sender: CreditSender;
  signal: AbortSignal;
  send(frame: ControlFrame): void;
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
      pool = new Agent({ connect: target.scheme === 'https' ? tls : {}, connections: 64 });
      this.pools.set(target, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

function headersOut(list: HeaderList): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of list) {
    const name = rawName.toLowerCase();
    if (HOP.has(name)) continue;
    const had = out[name];
    out[name] = had === undefined ? value : [had, value].flat();
  }
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

/** The failure as a stream error: a code the server knows and a message naming the agent. */
function failure(agent: string, where: string, error: unknown): { code: string; message: string } {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  if (
    e instanceof errors.HeadersTimeoutError ||
    e instanceof errors.BodyTimeoutError ||
    e instanceof errors.ConnectTimeoutError
  ) {
    return { code: 'HTTP_TIMEOUT', message: `agent "${agent}": ${where} timed out (${e.code})` };
  }
  const code = e.cause?.code ?? e.code;
  const detail = e.cause?.message ?? e.message ?? String(error);
  const tls = /CERT|SSL|TLS|SELF_SIGNED/i.test(String(code ?? ''));
  return {
    code: 'HTTP_CONNECTION_FAILED',
    message: `agent "${agent}": ${where} failed${tls ? ' (TLS)' : ''}: ${detail}${code ? ` (${code})` : ''}`,
  };
}

export async function perform(targets: Targets, job: Performing): Promise<void> {
  const { agent, frame } = job;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    job.send({ t: 'error', id: frame.id, code: 'REQUEST_INVALID', message: `agent "${agent}": not a URL` });
    return;
  }
  const where = `${frame.method} ${url.origin}${url.pathname}`;
  const target = targets.find(url);
  if (!target) {
    job.body?.destroy();
    job.send({
      t: 'error',
      id: frame.id,
      code: 'AGENT_HOST_NOT_ALLOWED',
      message: `agent "${agent}" may not reach ${url.protocol}//${url.host}: its configuration does not list ${url.hostname} port ${url.port || (url.protocol === 'https:' ? 443 : 80)} (${url.protocol.slice(0, -1)})`,
    });
    return;
  }
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: frame.method as 'GET',
      headers: headersOut(frame.headers),
      body: job.body,
      dispatcher: targets.poolOf(target),
      headersTimeout: frame.timeoutMs,
      bodyTimeout: frame.timeoutMs,
      signal: job.signal,
    });
  } catch (error) {
    if (!job.signal.aborted) job.send({ t: 'error', id: frame.id, ...failure(agent, where, error) });
    return;
  }
  job.send({
    t: 'response',
    id: frame.id,
    status: response.statusCode,
    headers: headersBack(response.headers),
  });
  try {
    await job.sender.send(response.body);
    job.send({ t: 'end', id: frame.id });
  } catch (error) {
    response.body.destroy();
    if (!job.signal.aborted)
      job.send({ t: 'error', id: frame.id, ...failure(agent, `${where} (response body)`, error) });
  }
}
