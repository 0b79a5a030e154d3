/**
 * One rule for the names users give things: connections, connectors (pushed or loaded from a
 * folder) and recipes. No name holds a control character or an invisible formatting character
 * (bidi overrides and isolates, zero-width characters, lone surrogates): they make a name show
 * as something it is not (`invoice\u202Efdp.exe`) or break the logs and terminals it is printed
 * to. Names used in URLs (connections, connectors) are moreover identifiers: letters, digits,
 * `.`, `_`, `-`, at most 100 characters, starting with a letter or digit.
 */
import { InvalidError } from './errors.js';

/** Names of the characters most often met, for messages. */
const KNOWN: Record<number, string> = {
  0: 'NUL',
  9: 'TAB',
  10: 'LINE FEED',
  13: 'CARRIAGE RETURN',
  27: 'ESCAPE',
  127: 'DELETE',
  8203: 'ZERO WIDTH SPACE',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
  65279: 'ZERO WIDTH NO-BREAK SPACE',
};

/**
 * C0 and C1 controls and DEL; soft hyphen; Arabic letter mark; Mongolian vowel separator;
 * zero-width characters, directional marks, line and paragraph separators, embeddings and
 * overrides (U+200B–U+202E); word joiner, invisible operators and isolates (U+2060–U+206F);
 * byte-order mark; interlinear annotations; tag characters; lone surrogates.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}\ud800-\udfff]/u;

const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

/** The text with every unsafe character written as `<U+202E>`, safe to print. */
export function visible(text: string): string {
  return text.replace(UNSAFE_ALL, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `U+202E (RIGHT-TO-LEFT OVERRIDE)` for the first unsafe character of `text`, if any. */
export function unsafeCharacter(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const known = KNOWN[code];
  return known ? `${hex} (${known})` : hex;
}

export type NameKind = 'identifier' | 'label';

/**
 * What is wrong with a name, or undefined: for both kinds an unsafe character; for an
 * identifier also anything outside its pattern.
 */
export function nameProblem(name: string, kind: NameKind): string | undefined {
  const unsafe = unsafeCharacter(name);
  if (unsafe) {
    return `holds the character ${unsafe}; names must not contain control characters or invisible formatting characters (bidirectional overrides, zero-width characters)`;
  }
  if (kind === 'identifier' && !IDENTIFIER.test(name)) {
    return 'use 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit';
  }
  return undefined;
}

/** 400 `NAME_INVALID` (path: `path`) when the name breaks the rule. */
export function checkName(name: string, kind: NameKind, path = 'name'): string {
  const problem = nameProblem(name, kind);
  if (problem) throw new InvalidError('NAME_INVALID', `${path}: ${problem}`, path);
  return name;
}
