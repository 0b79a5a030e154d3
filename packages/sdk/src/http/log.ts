/**
 * The `--verbose` view of an exchange. Everything here is redacted: known secret values (via the
 * environment's redactor), values of secret-looking headers (`authorization`, `x-api-key`, ...),
 * query parameters and JSON/form fields (`token`, `password`, ...). Bodies are cut at ~2 KB;
 * binary bodies appear as `<N bytes>`. Only built when a listener is present.
 */
import { REDACTED, SECRET_HEADER_PATTERN, SECRET_NAME_PATTERN } from '../redact.js';
import { isPlainObject } from '../schema/values.js';
import { redactQueryString } from './redact-url.js';
import { kindOf } from './response.js';

export const LOG_BODY_LIMIT = 2048;

export function truncate(text: string, limit = LOG_BODY_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}

export function redactHeaderList(
  flat: readonly string[] | undefined,
  redact: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!flat) return out;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i];
    out[name] = SECRET_HEADER_PATTERN.test(name) ? REDACTED : redact(flat[i + 1]);
  }
  return out;
}

export function redactHeaderObject(
  headers: Record<string, string>,
  redact: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers))
    out[name] = SECRET_HEADER_PATTERN.test(name) ? REDACTED : redact(headers[name]);
  return out;
}

/** A copy of a JSON-like value with values under secret-looking keys replaced. */
export function redactFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFields);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = value[k];
      out[k] = SECRET_NAME_PATTERN.test(k) && v !== null && typeof v !== 'object' ? REDACTED : redactFields(v);
    }
    return out;
  }
  return value;
}

/** A text body as shown in the log: JSON and form fields by name, then known secrets, then cut. */
export function describeText(text: string, contentType: string | undefined, redact: (s: string) => string): string {
  let shown = text;
  const kind = kindOf(contentType);
  if (kind === 'json') {
    try {
      shown = JSON.stringify(redactFields(JSON.parse(text)));
    } catch {
      // not JSON after all: show as text
    }
  } else if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    shown = redactQueryString(text);
  }
  return truncate(redact(shown));
}

export function describeBytes(
  bytes: Uint8Array,
  contentType: string | undefined,
  redact: (s: string) => string,
): string | undefined {
  if (bytes.length === 0) return undefined;
  if (kindOf(contentType) === 'binary' && contentType !== undefined) return `<${bytes.length} bytes>`;
  if (contentType === undefined && !looksLikeText(bytes)) return `<${bytes.length} bytes>`;
  return describeText(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    contentType,
    redact,
  );
}

function looksLikeText(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 4096), { stream: true });
    return !bytes.subarray(0, 4096).includes(0);
  } catch {
    return false;
  }
}
