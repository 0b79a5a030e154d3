/**
 * Redirect: follows up to MAX_REDIRECTS redirects within one attempt. A 303 (and POST after
 * 301/302) becomes GET; a hop to another origin carries nothing the authorization's `apply` set
 * (see ../redirect.ts); a hop to the same origin is signed again when the chain signs.
 */
import { appliedCredentials, dropParams, redirectHeaders } from '../redirect.js';
import { discard, MAX_REDIRECTS, type WireBody } from '../transport.js';
import type { HttpMethod } from '../types.js';
import { NO_BODY, type Outgoing, type Step } from './types.js';

/** Signs a redirect hop to the same origin again (request signing, e.g. AWS SigV4). */
export type Resign = (
  method: HttpMethod,
  url: URL,
  headers: string[] | undefined,
  body: WireBody | undefined,
) => Promise<string[]>;

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([300, 301, 302, 303, 307, 308]);

export function redirect(resign: Resign | undefined): Step {
  return (next) => async (request) => {
    if (!request.call.follow) return next(request);
    const origin = request.url;
    let hop: Outgoing = request;
    for (let count = 0; ; count++) {
      const outcome = await next(hop);
      const res = outcome.response!;
      const location = REDIRECT_STATUSES.has(res.status) ? res.headers.location : undefined;
      if (typeof location !== 'string' || count >= MAX_REDIRECTS) return outcome;
      const { method, body } = hop;
      const toGet =
        res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST';
      if (!toGet && body.body !== undefined && !body.replayable) return outcome; // a stream cannot be sent twice
      const url = new URL(hop.url);
      let target: URL;
      try {
        target = new URL(location, url);
      } catch {
        return outcome;
      }
      const crossOrigin = target.origin !== url.origin;
      const credentials = request.auth && appliedCredentials(request.auth);
      // A body that carries credentials is not sent to another origin: the redirect is not followed.
      if (crossOrigin && !toGet && body.body !== undefined && credentials?.inBody) return outcome;
      if (res.stream) discard(res.stream);
      let headers = redirectHeaders(hop.headers, crossOrigin, toGet, credentials);
      if (target.origin !== new URL(origin).origin && credentials) dropParams(target, credentials.params);
      const nextMethod = toGet ? 'GET' : method;
      const nextBody = toGet ? NO_BODY : body;
      if (resign && !crossOrigin) headers = await resign(nextMethod, target, headers, nextBody.body);
      hop = { ...hop, method: nextMethod, url: target.href, headers, body: nextBody };
    }
  };
}
