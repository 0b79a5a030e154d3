/**
 * Retry rules (SPEC §3): a response whose status or body matches `retryOnResponse`, to a request
 * whose method is in `retryOnRequest` (default GET and HEAD), is sent again up to `maxRetries`
 * times (retries, not attempts; at most 3). The delay is `Retry-After` when the response has one
 * (seconds or an HTTP date, capped at 60 s), else exponential back-off with full jitter.
 */
import type { ResponseMatcher } from '../types.js';
import type { RetryPolicy } from './types.js';

export const MAX_RETRIES = 3;
export const MAX_DELAY_MS = 60_000;
export const DEFAULT_RETRY_METHODS: readonly string[] = ['GET', 'HEAD'];
/** Methods whose connection failures are retried (when the policy allows retries at all). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface NormalizedRetry {
  matchers: readonly ResponseMatcher[];
  methods: ReadonlySet<string>;
  maxRetries: number;
}

export const NO_RETRY: NormalizedRetry = { matchers: [], methods: new Set(), maxRetries: 0 };

export function normalizeRetry(policy: RetryPolicy | undefined): NormalizedRetry {
  if (!policy) return NO_RETRY;
  const max = Number.isFinite(policy.maxRetries) ? Math.floor(policy.maxRetries) : 0;
  const methods = policy.retryOnRequest?.length ? policy.retryOnRequest : DEFAULT_RETRY_METHODS;
  return {
    matchers: policy.retryOnResponse ?? [],
    methods: new Set(methods.map((m) => m.toUpperCase())),
    maxRetries: Math.max(0, Math.min(MAX_RETRIES, max)),
  };
}

/** Whether any matcher matches: a number the status, a RegExp or a string (substring) the body text. */
export function matchesResponse(matchers: readonly ResponseMatcher[], status: number, bodyText: () => string): boolean {
  for (const m of matchers) {
    if (typeof m === 'number') {
      if (m === status) return true;
    } else if (m instanceof RegExp) {
      m.lastIndex = 0;
      if (m.test(bodyText())) return true;
    } else if (typeof m === 'string' && m !== '' && bodyText().includes(m)) {
      return true;
    }
  }
  return false;
}

/** Milliseconds a `Retry-After` value asks for (capped), or undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(MAX_DELAY_MS, Math.max(0, Math.round(ms)));
}

export interface RetryDelayInput {
  /** 1 for the first retry. */
  retry: number;
  baseMs: number;
  /** The response's Retry-After header, if any. */
  retryAfter?: string;
  nowMs?: number;
  /** In [0, 1); injectable for tests. */
  random?: () => number;
}

/** The delay before a retry: Retry-After wins when present; else full jitter on base·2^(retry-1). */
export function retryDelay(input: RetryDelayInput): number {
  const after = parseRetryAfter(input.retryAfter, input.nowMs);
  if (after !== undefined) return after;
  const ceiling = Math.min(MAX_DELAY_MS, input.baseMs * 2 ** Math.max(0, input.retry - 1));
  return Math.floor((input.random ?? Math.random)() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
