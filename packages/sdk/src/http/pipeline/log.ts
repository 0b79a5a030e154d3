/**
 * Log: reports each attempt (redacted) to the environment's exchange listener — the verbose log
 * and the job's exchange history. Only chains with a listener include this step.
 */
import { headerValue, plainHeaders } from '../headers.js';
import { describeBytes, redactHeaderList, redactHeaderObject } from '../log.js';
import { redactUrl } from '../redact-url.js';
import type { HttpExchangeLog } from '../types.js';
import type { Outcome, Outgoing, Step } from './types.js';

type Redact = (text: string) => string;

export function log(listener: (log: HttpExchangeLog) => void, redact: Redact): Step {
  return (next) => async (request) => {
    const attempt = ++request.tally.attempts;
    const started = performance.now();
    const outcome = await next(request);
    report(listener, redact, request, outcome, attempt, started);
    return outcome;
  };
}

function report(
  listener: (log: HttpExchangeLog) => void,
  redact: Redact,
  request: Outgoing,
  outcome: Outcome,
  attempt: number,
  started: number,
): void {
  const res = outcome.response;
  try {
    listener({
      method: request.call.method,
      url: redactUrl(request.url, redact),
      requestHeaders: redactHeaderList(request.headers, redact),
      requestBody: request.body.describe(),
      status: res?.status,
      responseHeaders: res ? redactHeaderObject(plainHeaders(res.headers), redact) : undefined,
      responseBody: res
        ? res.stream
          ? '<stream>'
          : describeBytes(res.bytes!, headerValue(res.headers, 'content-type'), redact)
        : undefined,
      durationMs: Math.round(performance.now() - started),
      attempt,
      error: outcome.error?.message,
    });
  } catch {
    // A failing log listener must not fail the request.
  }
}
