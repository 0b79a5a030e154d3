/**
 * Base URI: where a request goes. A relative URL resolves against the connection's base URI
 * (resolved once per request, not per attempt); an absolute one is used as it is. A request
 * that authorizes only on the base origin (custom actions) and leaves it is sent through the
 * chain without authorization (see compose.ts).
 */
import { onOriginOf } from '../redirect.js';
import type { HttpEnv } from '../types.js';
import { isAbsoluteUrl, resolveUrl } from '../url.js';
import type { HttpCall } from './types.js';

export interface Target {
  /** The absolute URL, before query parameters. */
  url: string;
  /** Whether the request must go without the authorization. */
  anonymous: boolean;
}

export async function resolveTarget(env: Pick<HttpEnv, 'baseUri' | 'redact'>, call: HttpCall): Promise<Target> {
  const absolute = isAbsoluteUrl(call.url);
  const base = absolute ? undefined : await env.baseUri();
  const url = resolveUrl(call.url, base, env.redact);
  // An absolute URL elsewhere than the base URI's origin goes out without the authorization.
  const anonymous = call.baseOriginOnly && absolute && !onOriginOf(url, await env.baseUri());
  return { url, anonymous };
}
