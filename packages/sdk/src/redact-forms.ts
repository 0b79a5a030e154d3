/**
 * The regular expression that finds one secret in any form it takes inside diagnostics. Each
 * character that an encoding may change becomes an alternation of its forms, so one pattern
 * covers raw text, JSON escapes (any depth of backslashes), `\uXXXX` escapes, percent-encoding
 * (and `+` for a space) and XML entities (also escaped twice), even mixed. Characters no encoding touches stay
 * literal: a secret made only of them is a plain literal pattern (the common, fast case).
 */

/** Characters no encoding we look for ever changes. */
const PLAIN = /^[A-Za-z0-9_.~-]$/;

const XML_NAMED: Record<string, string> = { '"': '&quot;', '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;' };

const JSON_SHORT: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Hex digits matched in either case, with optional leading zeros (`0*2[0]` ...). */
function hex(n: number, minDigits: number): string {
  return n
    .toString(16)
    .padStart(minDigits, '0')
    .split('')
    .map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d))
    .join('');
}

function charForms(ch: string): string {
  if (PLAIN.test(ch)) return ch;
  const forms = new Set<string>();
  const code = ch.codePointAt(0)!;
  if (ch === '\\') forms.add('\\\\+');
  else if (ch === '"') forms.add('\\\\*"');
  else forms.add(escapeRegExp(ch));
  if (JSON_SHORT[ch]) forms.add(`\\\\+${JSON_SHORT[ch]}`);
  if (ch === '/') forms.add('\\\\+/');
  // \uXXXX, one or two UTF-16 units (a surrogate pair for astral characters).
  let unicode = '';
  for (let i = 0; i < ch.length; i++) unicode += `\\\\+u${hex(ch.charCodeAt(i), 4)}`;
  forms.add(unicode);
  // Percent-encoding of the UTF-8 bytes; a space may also be `+` (form encoding).
  forms.add([...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b, 2)}`).join(''));
  if (ch === ' ') forms.add('\\+');
  // XML / HTML entities, also escaped again (`&amp;lt;`: XML quoted inside XML).
  const amp = '&(?:amp;)*';
  if (ch === '&') forms.add(amp);
  else if (XML_NAMED[ch]) forms.add(`${amp}${XML_NAMED[ch].slice(1)}`);
  forms.add(`${amp}#0*${code};`);
  forms.add(`${amp}#[xX]0*${hex(code, 1)};`);
  return `(?:${[...forms].join('|')})`;
}

/** A regular expression source that matches `secret` in any of its forms. */
export function secretPattern(secret: string): string {
  let out = '';
  for (const ch of secret) out += charForms(ch);
  return out;
}
