/**
 * Credentials and redirects: a hop to another origin carries nothing the authorization's `apply`
 * set (headers, query parameters, body), nor the usual credential headers, nor any header whose
 * name says it is a credential.
 */
import { SECRET_HEADER_PATTERN } from '../redact.js';
import type { AppliedAuth, HttpEnv } from './types.js';

/**
 * A request builder method (internal, keyed by a registered symbol): the request gets the
 * authorization only when its URL is on the origin of the connection's base URI.
 */
export const AUTHORIZE_BASE_ORIGIN_ONLY = Symbol.for('weft.authorizeBaseOriginOnly');

/** Whether `url` is on the origin of `base` (false without a base or with an invalid one). */
export function onOriginOf(url: string, base: string | undefined): boolean {
  if (!base) return false;
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/** Names of what `apply` set on a request. */
export interface AppliedCredentials {
  /** Lower-cased header names. */
  headers: ReadonlySet<string>;
  /** Query parameter names. */
  params: readonly string[];
  /** Whether `apply` added to the body (a 307/308 to another origin is then not followed). */
  inBody: boolean;
}

/** The names of what `apply` set, which a redirect to another origin must not carry. */
export function appliedCredentials(auth: AppliedAuth): AppliedCredentials {
  const headers = new Set(Object.keys(auth.headers));
  if (auth.user !== undefined || auth.password !== undefined) headers.add('authorization');
  return { headers, params: Object.keys(auth.params), inBody: Object.keys(auth.payload).length > 0 };
}

/** Headers that are credentials whoever set them. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
  'x-amz-security-token',
]);

/**
 * Headers for the next hop: never send credentials (the usual ones and every header `apply` set)
 * to another origin; a 303 (or POST→GET) drops the body's headers.
 */
export function redirectHeaders(
  headers: string[] | undefined,
  crossOrigin: boolean,
  dropContent: boolean,
  credentials: AppliedCredentials | undefined,
): string[] | undefined {
  if (!headers || (!crossOrigin && !dropContent)) return headers;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    // A header named like a credential (`X-Api-Token`, `X-Session-Id`) is one even when the action set it.
    if (
      crossOrigin &&
      (CREDENTIAL_HEADERS.has(name) || credentials?.headers.has(name) || SECRET_HEADER_PATTERN.test(name))
    )
      continue;
    if (dropContent && name.startsWith('content-')) continue;
    out.push(headers[i], headers[i + 1]);
  }
  return out;
}

/** Removes the query parameters `apply` set from a URL that leaves the request's origin. */
export function dropParams(url: URL, names: readonly string[]): void {
  for (const name of names) if (url.searchParams.has(name)) url.searchParams.delete(name);
}

/** The environment without anything that sends or renews credentials. */
export function withoutAuth(env: HttpEnv): HttpEnv {
  return { ...env, applyAuth: undefined, sign: undefined, onAuthFailure: undefined, onAuthRejected: undefined };
}
