/**
 * Redirect: follows up to MAX_REDIRECTS redirects within one attempt. A 303 (and POST after
 * 301/302) becomes GET; a hop to another origin carries nothing the authorization's `apply` set
 * (see ../redirect.ts); a hop to the same origin is signed again when the chain signs.
 */
import { appliedCredentials, dropParams, redirectHeaders } from '../redirect.js';
import { discard, MAX_REDIRECTS, type WireBody } from '../transport.js';
import type { HttpMethod } from '../types.js';
import { amend, NO_BODY, type Outcome, type Outgoing, type Step } from './types.js';

/** Signs a redirect hop to the same origin again (request signing, e.g. AWS SigV4). */
export type Resign = (
  method: HttpMethod,
  url: URL,
  headers: string[] | undefined,
  body: WireBody | undefined,
) => Promise<string[]>;

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([300, 301, 302, 303, 307, 308]);

export function redirect(resign: Resign | undefined): Step {
  return (next) => {
    const send = (request: Outgoing, hop: Outgoing, count: number): Promise<Outcome> =>
      next(hop).then((outcome) => {
        const location = REDIRECT_STATUSES.has(outcome.response!.status)
          ? outcome.response!.headers.location
          : undefined;
        if (typeof location !== 'string' || count >= MAX_REDIRECTS) return outcome;
        return follow(request, hop, outcome, location).then((nextHop) =>
          nextHop ? send(request, nextHop, count + 1) : outcome,
        );
      });
    // Not following (ignoreRedirection): the hop's answer is the attempt's.
    return (request) => (request.call.follow ? send(request, request, 0) : next(request));
  };

  /** The next hop, or undefined when this redirect must not be followed. */
  async function follow(
    request: Outgoing,
    hop: Outgoing,
    outcome: Outcome,
    location: string,
  ): Promise<Outgoing | undefined> {
    const res = outcome.response!;
    const { method, body } = hop;
    const toGet =
      res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST';
    if (!toGet && body.body !== undefined && !body.replayable) return undefined; // a stream cannot be sent twice
    const url = hop.hop!.url;
    let target: URL;
    try {
      target = new URL(location, url);
    } catch {
      return undefined;
    }
    const crossOrigin = target.origin !== url.origin;
    // Signed again only on the request's own origin: once a redirect has left it, a later hop
    // that stays on the foreign origin is still foreign.
    const home = target.origin === request.hop!.url.origin;
    const credentials = request.auth && appliedCredentials(request.auth);
    // A body that carries credentials is not sent to another origin: the redirect is not followed.
    if (crossOrigin && !toGet && body.body !== undefined && credentials?.inBody) return undefined;
    if (res.stream) discard(res.stream);
    let headers = redirectHeaders(hop.headers, crossOrigin, toGet, credentials);
    if (!home && credentials) dropParams(target, credentials.params);
    const nextMethod = toGet ? 'GET' : method;
    const nextBody = toGet ? NO_BODY : body;
    if (resign && home) headers = await resign(nextMethod, target, headers, nextBody.body);
    return amend(hop, {
      method: nextMethod,
      url: target.href,
      headers,
      body: nextBody,
      hop: { url: target, deadline: hop.hop!.deadline },
    });
  }
}
