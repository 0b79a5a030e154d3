/**
 * Secret redaction. Every value known to be secret (password-type connection values, tokens,
 * headers and params set by `apply`) is replaced by `[REDACTED]` wherever it appears in text
 * that leaves the process: logs, errors, exec output.
 */

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
    // Also hide the forms a secret takes on the wire.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    this.pattern = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  has(value: string): boolean {
    return this.secrets.has(value);
  }

  /** Replace every known secret in `text`. */
  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
