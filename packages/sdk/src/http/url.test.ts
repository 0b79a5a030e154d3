import { describe, expect, it } from 'vitest';
import { isWeftError } from '../errors.js';
import { appendQuery, encodeParams, encodeQueryComponent, resolveUrl } from './url.js';

describe('resolveUrl', () => {
  it('treats the base URI as a directory even without a trailing slash', () => {
    expect(resolveUrl('contacts', 'https://api.example.com/v1')).toBe('https://api.example.com/v1/contacts');
    expect(resolveUrl('contacts', 'https://api.example.com/v1/')).toBe('https://api.example.com/v1/contacts');
  });

  it('resolves a leading slash against the host root and dot segments by RFC 3986', () => {
    expect(resolveUrl('/contacts', 'https://api.example.com/v1')).toBe('https://api.example.com/contacts');
    expect(resolveUrl('../x', 'https://api.example.com/v1/sub')).toBe('https://api.example.com/v1/x');
    expect(resolveUrl('a/b?q=1', 'https://api.example.com/v1')).toBe('https://api.example.com/v1/a/b?q=1');
  });

  it('uses absolute URLs as given, base or not', () => {
    expect(resolveUrl('https://other.test/x?y=1', 'https://api.example.com/v1')).toBe('https://other.test/x?y=1');
    expect(resolveUrl('http://127.0.0.1:9/x', undefined)).toBe('http://127.0.0.1:9/x');
  });

  it('rejects a relative URL without a base, naming connection.baseUri', () => {
    try {
      resolveUrl('contacts', undefined);
      expect.unreachable();
    } catch (error) {
      expect(isWeftError(error) && error.code).toBe('REQUEST_INVALID');
      expect((error as Error).message).toMatch(/connection\.baseUri.*absolute URL/);
    }
  });
});

describe('encodeParams', () => {
  it('repeats keys for arrays, nests objects with brackets and skips null/undefined', () => {
    const q = encodeParams(
      [{ a: [1, 2], b: { c: 'x y', d: { e: true } }, n: null, u: undefined, s: 'ä&=' }],
      encodeQueryComponent,
    );
    expect(q).toBe('a=1&a=2&b[c]=x%20y&b[d][e]=true&s=%C3%A4%26%3D');
  });

  it('indexes arrays of objects and writes dates as ISO strings', () => {
    const q = encodeParams(
      [{ items: [{ id: 1 }, { id: 2 }], at: new Date('2026-01-02T03:04:05Z') }],
      encodeQueryComponent,
    );
    expect(q).toBe('items[0][id]=1&items[1][id]=2&at=2026-01-02T03%3A04%3A05.000Z');
  });
});

describe('appendQuery', () => {
  it('appends after an existing query and before a fragment', () => {
    expect(appendQuery('http://h/p', 'a=1')).toBe('http://h/p?a=1');
    expect(appendQuery('http://h/p?x=0', 'a=1')).toBe('http://h/p?x=0&a=1');
    expect(appendQuery('http://h/p?', 'a=1')).toBe('http://h/p?a=1');
    expect(appendQuery('http://h/p?x=0#frag', 'a=1')).toBe('http://h/p?x=0&a=1#frag');
    expect(appendQuery('http://h/p', '')).toBe('http://h/p');
  });
});
