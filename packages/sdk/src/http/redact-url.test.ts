import { describe, expect, it } from 'vitest';
import { Redactor } from '../redact.js';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  const none = (s: string) => s;

  it('redacts values of secret-looking query parameters and keeps the others', () => {
    expect(redactUrl('https://h/p?api_key=abc123&page=2&access_token=zzz&Signature=s1', none)).toBe(
      'https://h/p?api_key=[REDACTED]&page=2&access_token=[REDACTED]&Signature=[REDACTED]',
    );
  });

  it('redacts the password of userinfo but keeps the user name', () => {
    expect(redactUrl('https://bob:hunter22@h.test/x', none)).toBe('https://bob:[REDACTED]@h.test/x');
  });

  it('redacts known secret values anywhere, also URL-encoded', () => {
    const r = new Redactor(['s3cr/et+value']);
    const url = `https://h/${encodeURIComponent('s3cr/et+value')}/x?q=${encodeURIComponent('s3cr/et+value')}`;
    const out = redactUrl(url, (s) => r.redact(s));
    expect(out).not.toContain('s3cr');
    expect(out).toBe('https://h/[REDACTED]/x?q=[REDACTED]');
  });

  it('leaves the fragment and unrelated encoding untouched', () => {
    expect(redactUrl('https://h/p?a=%20b&token=x#top', none)).toBe('https://h/p?a=%20b&token=[REDACTED]#top');
  });
});
