/**
 * The `Host` check of a server bound to loopback. A web page on another site can make the
 * browser send requests to `127.0.0.1` under its own name (DNS rebinding): such requests carry
 * that name in `Host`. A loopback-bound server therefore answers only requests addressed to a
 * loopback name or address, to the host of `WEFT_PUBLIC_URL`, or to a name listed in
 * `WEFT_ALLOWED_HOSTS`; anything else is a 403 before any route runs — and before the agents'
 * WebSocket upgrade (`GET /agents/connect`) is looked at.
 */
import { WeftError } from '@weft/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

export interface HostPolicy {
  /** Lower-case host names (no port) accepted besides loopback ones. */
  extra: Set<string>;
}

const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

/** Loopback names and addresses: `localhost` (and `*.localhost`), 127.0.0.0/8, ::1. */
export function isLoopback(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    IPV4_LOOPBACK.test(name) ||
    name === '::1' ||
    name === '0:0:0:0:0:0:0:1' ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(name)
  );
}

/**
 * The host name of a `Host` header value (`name`, `name:port`, `[v6]:port`), lower case without
 * a trailing dot; undefined when the value is not a host.
 */
export function hostnameOf(value: string): string | undefined {
  let name: string;
  let rest: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    name = value.slice(1, end);
    rest = value.slice(end + 1);
  } else {
    const colon = value.indexOf(':');
    if (colon >= 0 && value.indexOf(':', colon + 1) >= 0) return undefined;
    name = colon < 0 ? value : value.slice(0, colon);
    rest = colon < 0 ? '' : value.slice(colon);
  }
  if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
  name = name.toLowerCase().replace(/\.$/, '');
  return name === '' ? undefined : name;
}

/**
 * The policy of a server listening on `bindHost`, or undefined when it is not bound to loopback
 * (then it is reachable under any name anyway). `allowedHosts` is `WEFT_ALLOWED_HOSTS`:
 * comma-separated host names (a port, if given, is ignored).
 */
export function hostPolicy(
  bindHost: string,
  publicUrl: string | undefined,
  allowedHosts: string | undefined,
): HostPolicy | undefined {
  if (!isLoopback(bindHost)) return undefined;
  const extra = new Set<string>();
  if (publicUrl) {
    const name = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : '';
    if (!name) {
      throw new WeftError(
        'SETTINGS_INVALID',
        'WEFT_PUBLIC_URL must be an absolute http(s) URL such as https://weft.example.com',
      );
    }
    extra.add(name.toLowerCase().replace(/^\[|\]$/g, ''));
  }
  for (const entry of (allowedHosts ?? '').split(',')) {
    const given = entry.trim();
    if (!given) continue;
    const name = hostnameOf(given);
    if (!name || !/^[a-z0-9.:_-]+$/.test(name)) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `WEFT_ALLOWED_HOSTS holds "${given}", which is not a host name: list names separated by commas, e.g. weft.internal,10.0.0.5`,
      );
    }
    extra.add(name);
  }
  return { extra };
}

function allowed(policy: HostPolicy, hostname: string | undefined): boolean {
  return hostname !== undefined && (isLoopback(hostname) || policy.extra.has(hostname));
}

/** The host an absolute-form request target names (`GET http://host/path HTTP/1.1`), if any. */
function targetHost(rawUrl: string | undefined): string | null | undefined {
  // Origin-form (`/path`), what nearly every request sends, needs no pattern.
  if (!rawUrl || rawUrl.charCodeAt(0) === 47 || !/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl)) return null;
  try {
    return new URL(rawUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** Host header values seen accepted, so that a busy server does not parse the same one each time. */
const ACCEPTED_CACHE = 64;

/** Why a request is refused: the code and the message of the 403. */
export interface HostRefusal {
  code: 'HOST_NOT_ALLOWED';
  message: string;
}

/**
 * The check of one request's `Host` header and request target against the policy: undefined
 * when accepted, else the refusal. Shared by the HTTP hook (`hostGuard`) and the agents'
 * WebSocket upgrade (agents/endpoint.ts), which Fastify's hooks do not see.
 */
export function hostCheck(
  policy: HostPolicy,
): (host: string | undefined, rawUrl: string | undefined) => HostRefusal | undefined {
  // Only accepted values are kept (refused ones are rare and must not crowd them out); the
  // policy never changes while the server runs.
  const accepted = new Set<string>();
  const headerAllowed = (header: string | undefined): boolean => {
    if (header !== undefined && accepted.has(header)) return true;
    const ok = allowed(policy, typeof header === 'string' ? hostnameOf(header) : undefined);
    if (ok && header !== undefined) {
      if (accepted.size >= ACCEPTED_CACHE) accepted.clear();
      accepted.add(header);
    }
    return ok;
  };
  return (header, rawUrl) => {
    const fromTarget = targetHost(rawUrl);
    if (headerAllowed(header) && (fromTarget === null || allowed(policy, fromTarget))) return undefined;
    const named = (fromTarget ?? header ?? '').slice(0, 100);
    return {
      code: 'HOST_NOT_ALLOWED',
      message: `This server listens on a loopback address and answers only requests addressed to localhost or a loopback address, not to "${named}" (a guard against DNS rebinding). To reach it under that name, set WEFT_PUBLIC_URL to the address users reach it at, or add the name to WEFT_ALLOWED_HOSTS (comma-separated).`,
    };
  };
}

/**
 * The `onRequest` hook refusing requests addressed to a name the policy does not accept. A
 * callback hook, not an async one: on the webhook path every request passes it, and a promise
 * per request costs more than the check.
 */
export function hostGuard(policy: HostPolicy) {
  const check = hostCheck(policy);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const refused = check(request.headers.host, request.raw.url);
    if (!refused) {
      done();
      return;
    }
    reply.status(403).send(errorBody(refused.code, refused.message));
  };
}
