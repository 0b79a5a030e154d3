/**
 * Base URI, the pipeline's entry: where a request goes, and through which chain. A relative URL
 * resolves against the connection's base URI (once per request, not per attempt); an absolute
 * one is used as it is. A request that authorizes only on the base origin (custom actions) and
 * leaves it takes the chain without the authorization (see compose.ts).
 */
import { onOriginOf } from '../redirect.js';
import type { HttpEnv } from '../types.js';
import { isAbsoluteUrl, resolveUrl } from '../url.js';
import { type HttpCall, outgoing, type Send } from './types.js';

/** Sends a described request and yields what awaiting it yields. */
export type Pipeline = (call: HttpCall) => Promise<unknown>;

/** `chain(anonymous)` is the chain for a request with (false) or without (true) the authorization. */
export function baseUri(env: Pick<HttpEnv, 'baseUri' | 'redact'>, chain: (anonymous: boolean) => Send): Pipeline {
  return async (call) => {
    const absolute = isAbsoluteUrl(call.url);
    const base = absolute ? undefined : await env.baseUri();
    const url = resolveUrl(call.url, base, env.redact);
    // A URL that resolves elsewhere than the base URI's origin goes out without the authorization.
    // Decided on the resolved URL: `//host/x` and `/\host/x` look relative but leave the origin.
    const anonymous =
      call.withoutAuthorization || (call.baseOriginOnly && !onOriginOf(url, base ?? (await env.baseUri())));
    const outcome = await chain(anonymous)(outgoing(call, url));
    return outcome.value;
  };
}
