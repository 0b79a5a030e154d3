import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from './redact.js';

const SECRET = 'p"a\\ss€wörd<&>';

/** JSON.stringify with ASCII escaping, as many servers write JSON (every non-ASCII and <&> as \u). */
function asciiJson(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('Redactor', () => {
  const forms: [string, string][] = [
    ['raw', SECRET],
    ['JSON-escaped', JSON.stringify(SECRET)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify(SECRET))],
    ['\\u-escaped (lower case)', asciiJson(SECRET)],
    [
      '\\u-escaped (upper case)',
      asciiJson(SECRET).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`),
    ],
    ['URL-encoded', encodeURIComponent(SECRET)],
    ['form-encoded', new URLSearchParams({ p: `${SECRET} x` }).toString()],
    ['XML-escaped', xmlEscape(SECRET)],
    ['XML-escaped twice', xmlEscape(xmlEscape(SECRET))],
    ['XML numeric references', SECRET.replace(/[^a-z]/g, (c) => `&#${c.codePointAt(0)};`)],
    ['XML hex references', SECRET.replace(/[^a-z]/g, (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`)],
  ];
  for (const [name, form] of forms) {
    it(`hides the ${name} form`, () => {
      const r = new Redactor([SECRET]);
      const out = r.redact(`before ${form} after`);
      expect(out).toContain(REDACTED);
      expect(out).not.toMatch(/w(ö|\\u00f6|%C3%B6|&#246;|&#xF6;)rd/i);
      expect(out.startsWith('before ')).toBe(true);
    });
  }

  it('hides the Basic-auth form of a username and password', () => {
    const r = new Redactor();
    r.addBasic('ann', SECRET);
    const header = `Basic ${Buffer.from(`ann:${SECRET}`).toString('base64')}`;
    expect(r.redact(header)).toBe(`Basic ${REDACTED}`);
  });

  it('leaves text without the secret alone, including near misses', () => {
    const r = new Redactor(['abc"def']);
    expect(r.redact("abc def, abcdef and abc'def")).toBe("abc def, abcdef and abc'def");
    expect(r.redact('{"k":"abc\\"def"}')).toBe(`{"k":"${REDACTED}"}`);
  });
});
