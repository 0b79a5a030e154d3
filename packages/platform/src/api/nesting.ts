/**
 * How deep a request body may nest. Parsing deep JSON is cheap, but everything that walks the
 * value afterwards (copies, redaction, serialization into the store) recurses and overflows
 * the stack somewhere past a few thousand levels. Bodies are measured on their text, before
 * they are parsed, so nothing ever walks a value deeper than the limit. Form bodies parse into
 * flat maps and other types stay text: only JSON nests.
 */
import { InvalidError } from '../errors.js';

/** Objects and arrays inside each other, at most (real payloads rarely pass 10). */
export const MAX_NESTING = 128;

/** True when the JSON text opens more than `max` objects or arrays inside each other. */
export function nestsDeeperThan(text: string, max = MAX_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** 400 `BODY_TOO_DEEP` for a body (`what`: "The webhook body") nested deeper than the limit. */
export function tooDeep(what: string): InvalidError {
  return new InvalidError(
    'BODY_TOO_DEEP',
    `${what} nests objects and arrays more than ${MAX_NESTING} levels deep; Weft accepts at most ${MAX_NESTING} levels`,
  );
}

/** Throws `tooDeep(what)` when the JSON text nests deeper than the limit. */
export function checkNesting(text: string, what: string): void {
  if (nestsDeeperThan(text)) throw tooDeep(what);
}
