/** JSON bodies. */
import { WeftError } from '../../errors.js';

/** Parses a JSON response body (`where()` names the request in errors); an empty (or whitespace-only) body is `null`, not an error. */
export function parseJson(text: string, where: () => string, redact: (s: string) => string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    if (text.trim() === '') return null;
    throw new WeftError('RESPONSE_PARSE_ERROR', `${where()}: response is not valid JSON: ${excerpt(text, redact)}`);
  }
}

/** A redacted, single-line excerpt of a body for messages. */
export function excerpt(text: string, redact: (s: string) => string, max = 200): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
