/**
 * Secret redaction for diagnostics. Every value known to be secret (password-type connection
 * values, tokens, whatever `acquire`/`refresh` returned, credential headers set by `apply`) is
 * replaced by `[REDACTED]` wherever it appears in text that leaves the process as a diagnostic:
 * logs, errors, HTTP exchanges. Never applied to the data an action returns.
 *
 * A secret is found in every form it takes on the way: raw, JSON-escaped (`\"`, `\\`), `\u`-escaped
 * (JSON with ASCII escaping), URL-encoded (`%22`, `+` for a space), XML-escaped (`&quot;`, `&#34;`).
 */
import { secretPattern } from './redact-forms.js';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted inside other text (too many false hits). */
const MIN_SECRET_LENGTH = 4;

/** Header names whose values are always secret. */
export const SECRET_HEADER_PATTERN =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-amz-security-token)$|(token|secret|password|api[-_]?key|signature|session)/i;

/** Query parameter and field names whose values are always secret. */
export const SECRET_NAME_PATTERN =
  /(pass(word)?|secret|token|api[-_]?key|apikey|signature|sig|credential|auth|session|private[-_]?key|client[-_]?secret|x-amz-credential|x-amz-signature)/i;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(secrets: Iterable<unknown> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value (strings and numbers; other values are ignored). */
  add(value: unknown): void {
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.pattern = undefined;
  }

  /** Remember Basic-auth credentials: the `base64(user:password)` a header carries. */
  addBasic(user: string, password: string): void {
    if (!user && !password) return;
    this.add(Buffer.from(`${user}:${password}`).toString('base64'));
  }

  get size(): number {
    return this.secrets.size;
  }

  has(value: string): boolean {
    return this.secrets.has(value);
  }

  /** Replace every known secret, in any of its encoded forms, in `text`. */
  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length).map(secretPattern);
      this.pattern = new RegExp(sorted.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }

  /** Redact every string inside a JSON-like value (returns a copy). */
  redactValue<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return redactDeep(value, this) as T;
  }
}

function redactDeep(value: unknown, r: Redactor): unknown {
  if (typeof value === 'string') return r.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, r));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, r);
    return out;
  }
  return value;
}
