/**
 * Retry with back-off (SPEC §3, rules in ../retry.ts): a response matching the policy, or a
 * connection failure of an idempotent method, is sent again — apply, encode and sign included —
 * after `Retry-After` or exponential back-off with full jitter. Only chains whose policy allows
 * retries include this step.
 */
import { headerValue } from '../headers.js';
import { decodeText } from '../response.js';
import { IDEMPOTENT_METHODS, matchesResponse, type NormalizedRetry, retryDelay, sleep } from '../retry.js';
import { discard } from '../transport.js';
import type { Step } from './types.js';

export function retry(policy: NormalizedRetry, baseMs: number): Step {
  return (next) => async (request) => {
    const { method } = request.call;
    for (let retries = 0; ; ) {
      const outcome = await next(request);
      if (retries >= policy.maxRetries || !outcome.request.body.replayable) return outcome;
      if (outcome.error) {
        if (outcome.error.code !== 'HTTP_CONNECTION_FAILED' || !IDEMPOTENT_METHODS.has(method)) return outcome;
        retries++;
        await sleep(retryDelay({ retry: retries, baseMs }));
        continue;
      }
      const res = outcome.response;
      let text: string | undefined;
      const bodyText = () => {
        text ??= res.bytes ? decodeText(res.bytes, headerValue(res.headers, 'content-type')) : '';
        return text;
      };
      if (!policy.methods.has(method) || !matchesResponse(policy.matchers, res.status, bodyText)) return outcome;
      retries++;
      if (res.stream) discard(res.stream);
      await sleep(retryDelay({ retry: retries, baseMs, retryAfter: headerValue(res.headers, 'retry-after') }));
    }
  };
}
