/**
 * URLs in messages and logs: userinfo passwords and values of query parameters whose names look
 * secret (`api_key`, `token`, `sig`, ...) become `[REDACTED]`, then every known secret value is
 * replaced by `redact`. The rest of the URL is left exactly as it was (no re-encoding).
 */
import { REDACTED, SECRET_NAME_PATTERN } from '../redact.js';

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Redacts the values of secret-looking names in an `a=1&b=2` string. */
export function redactQueryString(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      return SECRET_NAME_PATTERN.test(safeDecode(pair.slice(0, eq))) ? `${pair.slice(0, eq + 1)}${REDACTED}` : pair;
    })
    .join('&');
}

export function redactUrl(url: string, redact: (s: string) => string): string {
  let out = url;
  // userinfo password: scheme://user:password@host
  out = out.replace(/^([a-zA-Z][a-zA-Z\d+.-]*:\/\/[^/?#@:]*:)([^/?#@]*)@/, (_m, head: string) => `${head}${REDACTED}@`);
  const q = out.indexOf('?');
  if (q !== -1) {
    const hash = out.indexOf('#', q);
    const query = hash === -1 ? out.slice(q + 1) : out.slice(q + 1, hash);
    out = `${out.slice(0, q + 1)}${redactQueryString(query)}${hash === -1 ? '' : out.slice(hash)}`;
  }
  return redact(out);
}
