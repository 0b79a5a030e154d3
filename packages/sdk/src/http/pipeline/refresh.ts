/**
 * Refresh-and-resend: a 401, or a response matching `refreshOn`/`detectOn` (even a 2xx), goes
 * to the environment's `onAuthFailure` (a token refresh, single flight, lives there); when it
 * returns true the request is sent once more with freshly applied credentials. If that resend
 * fails the same way, `onAuthRejected` decides (it may throw "reconnect"). When the refresh
 * itself asks for a new authorization (REAUTHORIZE), the error names the refused request too.
 */
import { isWeftError, WeftError } from '../../errors.js';
import type { ResponseMatcher } from '../../types.js';
import { headerValue, plainHeaders } from '../headers.js';
import { decodeText, parseBodyLenient } from '../response.js';
import { matchesResponse } from '../retry.js';
import { discard } from '../transport.js';
import type { HttpEnv } from '../types.js';
import { errorExcerpt, formatOf } from './parse.js';
import { type Outcome, type Outgoing, type Send, type Step, whereOf } from './types.js';

const DEFAULT_AUTH_FAILURE: readonly ResponseMatcher[] = [401];

type RefreshEnv = Pick<HttpEnv, 'onAuthRejected' | 'authFailureOn' | 'redact'>;
type OnAuthFailure = NonNullable<HttpEnv['onAuthFailure']>;

/** `env` is read per response: `authFailureOn` follows the authorization selected now. */
export function refresh(onAuthFailure: OnAuthFailure, env: RefreshEnv): Step {
  return (next) => {
    const send: Send = async (request) => {
      const outcome = await next(request);
      const { tally } = request;
      const res = outcome.response;
      if (!res || !outcome.request.body.replayable || (tally.authResent && !env.onAuthRejected)) return outcome;
      if (!isAuthFailure(env, outcome)) return outcome;
      const sent: Outgoing = outcome.request;
      const parsed = res.bytes
        ? await parseBodyLenient(
            res.bytes,
            headerValue(res.headers, 'content-type'),
            formatOf(sent.call, sent.auth),
            env.redact,
          )
        : null;
      if (tally.authResent) {
        // The fresh credentials failed too: let the environment decide (it may throw).
        await env.onAuthRejected!(res.status, parsed, plainHeaders(res.headers));
        return outcome;
      }
      let refreshed: boolean;
      try {
        refreshed = await onAuthFailure(res.status, parsed, plainHeaders(res.headers), sent.auth?.tag);
      } catch (error) {
        throw refusedBecause(error, sent, outcome, env.redact);
      }
      if (refreshed) {
        tally.authResent = true;
        if (res.stream) discard(res.stream);
        return send(request);
      }
      return outcome;
    };
    return send;
  };
}

/**
 * A REAUTHORIZE thrown while renewing the credentials, followed by the request the API refused
 * and its reason (`… (The API refused GET https://…/user with HTTP 401: Token invalid.)`): the
 * person who must act sees why (a revoked token, not only a missing refresh token). Other errors
 * as they are.
 */
function refusedBecause(error: unknown, sent: Outgoing, outcome: Outcome, redact: (text: string) => string): unknown {
  if (!isWeftError(error) || error.code !== 'REAUTHORIZE') return error;
  const res = outcome.response!;
  const bytes = res.bytes ?? Buffer.alloc(0);
  const excerpt = errorExcerpt(bytes, headerValue(res.headers, 'content-type'), redact);
  const refused = `The API refused ${whereOf(sent, redact)} with HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`;
  return new WeftError('REAUTHORIZE', `${error.message} (${refused}.)`, { cause: error, details: error.details });
}

function isAuthFailure(env: RefreshEnv, outcome: Outcome): boolean {
  const res = outcome.response!;
  const matchers = env.authFailureOn ?? DEFAULT_AUTH_FAILURE;
  if (res.status === 401) return true;
  const bytes = res.bytes;
  let text: string | undefined;
  return matchesResponse(matchers, res.status, () => {
    text ??= bytes ? decodeText(bytes, headerValue(res.headers, 'content-type')) : '';
    return text;
  });
}
