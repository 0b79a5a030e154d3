/**
 * The tunnel between Weft and an on-premises agent (docs/auth/on-prem.md), shared by both ends:
 * one WebSocket per agent session, dialled out by the agent to `GET /agents/connect` with
 * `Authorization: Bearer <key>`. Many HTTP requests share it, each on a stream id the server
 * picks.
 *
 * Control frames (`ControlFrame`, JSON) and data frames (body bytes of a stream) travel in
 * binary messages, several to a message (wire.ts). A request is `request` (its head), body bytes,
 * `end`; its answer is `response` (its head), body bytes, `end` — or `error` at any point, from
 * either side (the server's `error` cancels the request at the agent). Bodies flow under
 * credit: each side may send `INITIAL_WINDOW` bytes of a stream, then only as much more as the
 * receiver grants with `credit` frames as its reader takes bytes, so a large body never sits
 * whole in memory on either side. Liveness is WebSocket ping/pong: a session silent for
 * `MISSED_HEARTBEATS` heartbeats is dead.
 */

export const PROTOCOL_VERSION = 1;
export const CONNECT_PATH = '/agents/connect';
/** Every agent key starts with this (then 32 random bytes, base64url). */
export const AGENT_KEY_PREFIX = 'weft_agent_';
/** Bytes of a stream's body a side may send before the receiver grants more. */
export const INITIAL_WINDOW = 256 * 1024;
/** The largest binary frame's payload. */
export const MAX_CHUNK = 64 * 1024;
/** The largest WebSocket message either side accepts (a frame plus its header, with room). */
export const MAX_MESSAGE = 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 10_000;
/** A session silent for this many heartbeats is dead. */
export const MISSED_HEARTBEATS = 3;

/** A target an agent's configuration allows. */
export interface AllowedTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

/** Header names and values, in order, repeats kept (`set-cookie`). */
export type HeaderList = [string, string][];

export type ControlFrame =
  /** Agent → server, first: what the agent is and what its configuration allows. */
  | { t: 'hello'; protocol: number; version: string; allows: AllowedTarget[] }
  /** Server → agent, the answer to `hello`. */
  | { t: 'welcome'; agent: string; group: string; heartbeatMs: number }
  /** Server → agent: a request's head; `body` says whether body bytes and an `end` follow. */
  | { t: 'request'; id: number; method: string; url: string; headers: HeaderList; timeoutMs: number; body: boolean }
  /** Agent → server: the response's head; body bytes and an `end` follow. */
  | { t: 'response'; id: number; status: number; headers: HeaderList }
  /** The sender's body on this stream is complete. */
  | { t: 'end'; id: number }
  /** The sender may send `bytes` more of its body on this stream. */
  | { t: 'credit'; id: number; bytes: number }
  /** The stream failed (agent → server) or is cancelled (server → agent). */
  | { t: 'error'; id: number; code: string; message: string };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

function isHeaderList(v: unknown): v is HeaderList {
  return Array.isArray(v) && v.every((h) => Array.isArray(h) && h.length === 2 && isStr(h[0]) && isStr(h[1]));
}

function isTarget(v: unknown): v is AllowedTarget {
  const t = v as AllowedTarget | null;
  return (t?.scheme === 'http' || t?.scheme === 'https') && isStr(t.host) && isInt(t.port);
}

/** A control frame from a text message; undefined when it is not one. */
export function parseControl(text: string): ControlFrame | undefined {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (f === null || typeof f !== 'object') return undefined;
  const ok = (() => {
    switch (f.t) {
      case 'hello':
        return isInt(f.protocol) && isStr(f.version) && Array.isArray(f.allows) && f.allows.every(isTarget);
      case 'welcome':
        return isStr(f.agent) && isStr(f.group) && isInt(f.heartbeatMs);
      case 'request':
        return (
          isInt(f.id) &&
          isStr(f.method) &&
          isStr(f.url) &&
          isHeaderList(f.headers) &&
          isInt(f.timeoutMs) &&
          typeof f.body === 'boolean'
        );
      case 'response':
        return isInt(f.id) && isInt(f.status) && isHeaderList(f.headers);
      case 'end':
        return isInt(f.id);
      case 'credit':
        return isInt(f.id) && isInt(f.bytes);
      case 'error':
        return isInt(f.id) && isStr(f.code) && isStr(f.message);
      default:
        return false;
    }
  })();
  return ok ? (f as ControlFrame) : undefined;
}

/** `http(s)://host[:port][/base]` → `ws(s)://…/agents/connect`. */
export function connectUrl(server: string): URL {
  const url = new URL(server);
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`the server URL must start with https:// (or http:// on a trusted network), got ${server}`);
  }
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${CONNECT_PATH}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** The port a URL means (its explicit one, else its scheme's). */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether the target of `url` is one of `allows` (host compared without case). */
export function allowed(allows: readonly AllowedTarget[], url: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = portOf(url);
  return allows.some((a) => a.scheme === scheme && a.host.toLowerCase() === host && a.port === port);
}
