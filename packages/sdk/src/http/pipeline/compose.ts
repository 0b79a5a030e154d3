/**
 * Composition: the chain of steps for an HTTP environment, chosen once from what the
 * environment (built from the connection's auth type) provides, outermost first:
 *
 *   parse → retry → refresh → apply-auth → encode → sign → log → transport → redirect → wire
 *
 * Steps an environment does not need are left out (no retry policy: no retry step; no refresh:
 * no refresh step; not signing: no sign step; no listener: no log step), so a request pays only
 * for what its connection uses. A request that must go without the authorization (see
 * base-uri.ts) takes a second chain built from the same environment without its auth.
 */
import { withoutAuth } from '../redirect.js';
import { normalizeRetry } from '../retry.js';
import { routeOf } from '../transport.js';
import type { HttpEnv } from '../types.js';
import { applyAuth } from './apply-auth.js';
import { baseUri, type Pipeline } from './base-uri.js';
import { encode } from './encode.js';
import { log } from './log.js';
import { parse } from './parse.js';
import { redirect } from './redirect.js';
import { refresh } from './refresh.js';
import { retry } from './retry.js';
import { resignFor, sign } from './sign.js';
import { transport, wire } from './transport.js';
import type { Send, Step } from './types.js';

export type { Pipeline };

/** `steps[0]` is outermost: it sees the request first and the outcome last. */
export function compose(steps: readonly Step[], end: Send): Send {
  let send = end;
  for (let i = steps.length - 1; i >= 0; i--) send = steps[i](send);
  return send;
}

/** The steps for an environment, outermost first. */
export function stepsFor(env: HttpEnv): Step[] {
  const steps: Step[] = [parse(env.redact)];
  const policy = normalizeRetry(env.retry);
  if (policy.maxRetries > 0) steps.push(retry(policy, env.retryBaseMs ?? 1000));
  const { onAuthFailure } = env;
  if (onAuthFailure) steps.push(refresh(onAuthFailure, env));
  if (env.applyAuth) steps.push(applyAuth(env.applyAuth));
  steps.push(encode(env.redact));
  if (env.sign) steps.push(sign(env.sign));
  if (env.onExchange) steps.push(log(env.onExchange, env.redact));
  steps.push(transport(env.timeoutMs, env.redact, routeOf(env.dispatcher)));
  steps.push(redirect(env.sign && resignFor(env.sign)));
  return steps;
}

export function createPipeline(env: HttpEnv): Pipeline {
  const authorized = compose(stepsFor(env), wire(env.dispatcher));
  let anonymous: Send | undefined;
  return baseUri(env, (withoutAuthorization) => {
    if (!withoutAuthorization) return authorized;
    anonymous ??= compose(stepsFor(withoutAuth(env)), wire(env.dispatcher));
    return anonymous;
  });
}
