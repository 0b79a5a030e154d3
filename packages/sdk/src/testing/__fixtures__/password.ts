/**
 * A password with quotes, a backslash and non-ASCII characters, and every form it takes once
 * written anywhere: the secrets tests of the SDK, the CLI and the platform check that none shows.
 */
import { expect } from 'vitest';

export const PASSWORD = 'p"a\\ss€wörd<&>';

/** JSON with everything outside ASCII (and <, >, &) written as \u escapes. */
export const asciiJson = (s: string) =>
  JSON.stringify(s).replace(/[\u007f-\uffff<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** XML text escaping. */
export const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Raw, JSON, JSON of JSON, \u-escaped, URL, form, XML, Basic auth, and the non-ASCII part alone. */
export const PASSWORD_FORMS = [
  PASSWORD,
  JSON.stringify(PASSWORD).slice(1, -1),
  JSON.stringify(JSON.stringify(PASSWORD)).slice(3, -3),
  asciiJson(PASSWORD).slice(1, -1),
  encodeURIComponent(PASSWORD),
  new URLSearchParams({ p: PASSWORD }).toString().slice(2),
  xml(PASSWORD),
  Buffer.from(`ann:${PASSWORD}`).toString('base64'),
  'wörd',
  'w\\u00f6rd',
];

export function expectNoPassword(text: string): void {
  for (const form of PASSWORD_FORMS) expect(text).not.toContain(form);
  expect(text).not.toMatch(/w(ö|\\u00f6|%C3%B6)rd/i);
}
