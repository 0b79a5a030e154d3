/**
 * Webhook signature checks (SPEC §6): HMAC over the raw body, and timestamped schemes with a
 * replay window (Stripe's `t=...,v1=...` header, or a generic `timestamp.body`). Pure functions;
 * the webhook context wraps them so that they read `ctx.rawBody`, `ctx.headers` and `ctx.now()`.
 *
 * Every `check*` returns `{ valid, reason }` so that a failure can say why (missing header,
 * stale timestamp, mismatch); every `verify*` is the same check as a boolean.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export interface SignatureCheck {
  valid: boolean;
  /** Why the check failed (never contains the secret or the expected signature). */
  reason?: string;
}

/** The default replay window of timestamped schemes, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const ALGORITHMS: readonly string[] = ['sha1', 'sha256', 'sha512'];

/** HMAC of `data` with `secret`, encoded as hex (default) or base64. */
export function computeHmac(
  algorithm: HmacAlgorithm,
  secret: string | Uint8Array,
  data: string | Uint8Array,
  encoding: SignatureEncoding = 'hex',
): string {
  if (!ALGORITHMS.includes(algorithm)) {
    throw new TypeError(`Unsupported HMAC algorithm "${algorithm}"; use sha1, sha256 or sha512`);
  }
  return createHmac(algorithm, secret).update(data).digest(encoding);
}

/** Compares two strings in constant time (for equal lengths; different lengths are unequal at once). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

export interface HmacOptions {
  secret: string | Uint8Array;
  /** What was signed: the raw request body, byte for byte. */
  payload: string | Uint8Array | undefined;
  /** The signature the sender sent (a header value); absent means the check fails. */
  signature: string | undefined | null;
  algorithm?: HmacAlgorithm;
  encoding?: SignatureEncoding;
  /** A prefix the signature carries, e.g. `sha256=` (GitHub); stripped before comparing. */
  prefix?: string;
}

function missingSecret(secret: unknown): boolean {
  return secret === undefined || secret === null || (typeof secret === 'string' && secret === '');
}

/** Compares one received signature (hex is compared case-insensitively) with the expected one. */
function matches(received: string, expected: string, encoding: SignatureEncoding): boolean {
  const value = encoding === 'hex' ? received.trim().toLowerCase() : received.trim();
  return safeEqual(value, expected);
}

export function checkHmac(options: HmacOptions): SignatureCheck {
  const { prefix = '', algorithm = 'sha256', encoding = 'hex' } = options;
  if (missingSecret(options.secret)) return { valid: false, reason: 'no secret to check the signature with' };
  if (options.signature === undefined || options.signature === null || options.signature === '') {
    return { valid: false, reason: 'the request carries no signature' };
  }
  if (options.payload === undefined) return { valid: false, reason: 'there is no raw body to check' };
  let received = String(options.signature).trim();
  if (prefix) {
    if (!received.toLowerCase().startsWith(prefix.toLowerCase())) {
      return { valid: false, reason: `the signature does not start with "${prefix}"` };
    }
    received = received.slice(prefix.length);
  }
  const expected = computeHmac(algorithm, options.secret, options.payload, encoding);
  return matches(received, expected, encoding)
    ? { valid: true }
    : { valid: false, reason: 'the signature does not match' };
}

/** True when `signature` is the HMAC of `payload` with `secret`. */
export function verifyHmac(options: HmacOptions): boolean {
  return checkHmac(options).valid;
}

/** Reads a timestamp in seconds: a number, a numeric string (seconds, or milliseconds if huge) or an ISO date. */
function toSeconds(timestamp: string | number | Date | undefined | null): number | undefined {
  if (timestamp === undefined || timestamp === null || timestamp === '') return undefined;
  if (timestamp instanceof Date) return Math.floor(timestamp.getTime() / 1000);
  const n = typeof timestamp === 'number' ? timestamp : /^\s*\d+(\.\d+)?\s*$/.test(timestamp) ? Number(timestamp) : NaN;
  if (Number.isFinite(n)) return n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
  const parsed = Date.parse(String(timestamp));
  return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}

function checkWindow(seconds: number, now: Date, tolerance: number): SignatureCheck | undefined {
  const age = Math.floor(now.getTime() / 1000) - seconds;
  if (Math.abs(age) > tolerance) {
    const when = age > 0 ? `${age} s old` : `${-age} s in the future`;
    return { valid: false, reason: `the timestamp is ${when}; at most ${tolerance} s are accepted` };
  }
  return undefined;
}

export interface TimestampedHmacOptions extends HmacOptions {
  /** When the sender signed: seconds since the epoch (number or string), or an ISO date. */
  timestamp: string | number | Date | undefined | null;
  /** How far the timestamp may be from `now`, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The clock (default: the system clock; the webhook context passes `ctx.now()`). */
  now?: Date;
  /** Builds the signed string (default `${timestamp}.${body}`); e.g. Slack: `v0:${t}:${body}`. */
  signedPayload?: (timestamp: string, body: string) => string;
}

/** A signature over `timestamp + '.' + body` (or a custom layout) that must also be recent. */
export function checkTimestampedHmac(options: TimestampedHmacOptions): SignatureCheck {
  if (options.timestamp === undefined || options.timestamp === null || options.timestamp === '') {
    return { valid: false, reason: 'the request carries no timestamp' };
  }
  const seconds = toSeconds(options.timestamp);
  if (seconds === undefined) return { valid: false, reason: `the timestamp "${options.timestamp}" is not readable` };
  const stale = checkWindow(seconds, options.now ?? new Date(), options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (stale) return stale;
  if (options.payload === undefined) return { valid: false, reason: 'there is no raw body to check' };
  const body = typeof options.payload === 'string' ? options.payload : Buffer.from(options.payload).toString('utf8');
  const raw = String(options.timestamp instanceof Date ? seconds : options.timestamp);
  const signed = options.signedPayload ? options.signedPayload(raw, body) : `${raw}.${body}`;
  return checkHmac({ ...options, payload: signed });
}

export function verifyTimestampedHmac(options: TimestampedHmacOptions): boolean {
  return checkTimestampedHmac(options).valid;
}

export interface StripeSignatureOptions {
  secret: string;
  payload: string | Uint8Array | undefined;
  /** The `Stripe-Signature` header's value: `t=<seconds>,v1=<hex>[,v1=<hex>...]`. */
  signature: string | undefined | null;
  toleranceSeconds?: number;
  now?: Date;
  /** The signature scheme to accept (default `v1`). */
  scheme?: string;
}

/** Parses `t=...,v1=...,v1=...` into the timestamp and the signatures of one scheme. */
export function parseSignatureHeader(header: string, scheme = 'v1'): { timestamp?: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === scheme) signatures.push(value);
  }
  return { timestamp, signatures };
}

/** Stripe's scheme: HMAC-SHA256 of `${t}.${body}`, any `v1` may match, `t` within the window. */
export function checkStripeSignature(options: StripeSignatureOptions): SignatureCheck {
  if (missingSecret(options.secret)) return { valid: false, reason: 'no secret to check the signature with' };
  if (!options.signature) return { valid: false, reason: 'the request carries no signature header' };
  const scheme = options.scheme ?? 'v1';
  const { timestamp, signatures } = parseSignatureHeader(String(options.signature), scheme);
  if (!timestamp) return { valid: false, reason: 'the signature header has no timestamp (t=...)' };
  if (!signatures.length) return { valid: false, reason: `the signature header has no ${scheme}= signature` };
  const seconds = toSeconds(timestamp);
  if (seconds === undefined) return { valid: false, reason: `the timestamp "${timestamp}" is not readable` };
  const stale = checkWindow(seconds, options.now ?? new Date(), options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (stale) return stale;
  if (options.payload === undefined) return { valid: false, reason: 'there is no raw body to check' };
  const body = typeof options.payload === 'string' ? options.payload : Buffer.from(options.payload).toString('utf8');
  const expected = computeHmac('sha256', options.secret, `${timestamp}.${body}`, 'hex');
  // Compare against every candidate (no early exit) so timing does not reveal which one matched.
  let ok = false;
  for (const candidate of signatures) ok = matches(candidate, expected, 'hex') || ok;
  return ok ? { valid: true } : { valid: false, reason: 'the signature does not match' };
}

export function verifyStripeSignature(options: StripeSignatureOptions): boolean {
  return checkStripeSignature(options).valid;
}
