/**
 * Refresh-and-resend: a 401, or a response matching `refreshOn`/`detectOn` (even a 2xx), goes
 * to the environment's `onAuthFailure` (a token refresh, single flight, lives there); when it
 * returns true the request is sent once more with freshly applied credentials. If that resend
 * fails the same way, `onAuthRejected` decides (it may throw "reconnect").
 */
import type { ResponseMatcher } from '../../types.js';
import { headerValue, plainHeaders } from '../headers.js';
import { decodeText, parseBodyLenient } from '../response.js';
import { matchesResponse } from '../retry.js';
import { discard } from '../transport.js';
import type { HttpEnv } from '../types.js';
import { formatOf } from './parse.js';
import type { Outcome, Outgoing, Send, Step } from './types.js';

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
      if (await onAuthFailure(res.status, parsed, plainHeaders(res.headers), sent.auth?.tag)) {
        tally.authResent = true;
        if (res.stream) discard(res.stream);
        return send(request);
      }
      return outcome;
    };
    return send;
  };
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
