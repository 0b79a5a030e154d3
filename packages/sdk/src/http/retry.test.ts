import { describe, expect, it } from 'vitest';
import { MAX_DELAY_MS, matchesResponse, normalizeRetry, parseRetryAfter, retryDelay } from './retry.js';

describe('retryDelay', () => {
  it('uses full jitter on an exponentially growing ceiling', () => {
    expect(retryDelay({ retry: 1, baseMs: 1000, random: () => 0.5 })).toBe(500);
    expect(retryDelay({ retry: 2, baseMs: 1000, random: () => 0.5 })).toBe(1000);
    expect(retryDelay({ retry: 3, baseMs: 1000, random: () => 0.999 })).toBe(3996);
    expect(retryDelay({ retry: 3, baseMs: 1000, random: () => 0 })).toBe(0);
  });

  it('caps the back-off ceiling at 60 s', () => {
    expect(retryDelay({ retry: 3, baseMs: 100_000, random: () => 0.5 })).toBe(MAX_DELAY_MS / 2);
  });

  it('lets Retry-After win over back-off, in seconds or as an HTTP date, capped at 60 s', () => {
    expect(retryDelay({ retry: 1, baseMs: 1000, retryAfter: '2', random: () => 0.9 })).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelay({ retry: 1, baseMs: 1000, retryAfter: 'Thu, 01 Jan 2026 00:00:07 GMT', nowMs: now })).toBe(7000);
    expect(retryDelay({ retry: 1, baseMs: 1000, retryAfter: '3600' })).toBe(60_000);
  });

  it('falls back to back-off when Retry-After is invalid, and never waits for a past date', () => {
    expect(retryDelay({ retry: 1, baseMs: 100, retryAfter: 'soon', random: () => 0.5 })).toBe(50);
    expect(parseRetryAfter('Thu, 01 Jan 2020 00:00:00 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('matchesResponse', () => {
  const body = () => 'Rate limit exceeded, try later';
  it('matches statuses, regular expressions and substrings of the body', () => {
    expect(matchesResponse([429], 429, body)).toBe(true);
    expect(matchesResponse([429], 500, body)).toBe(false);
    expect(matchesResponse([/rate limit/i], 200, body)).toBe(true);
    expect(matchesResponse(['try later'], 200, body)).toBe(true);
    expect(matchesResponse(['nope', 503], 200, body)).toBe(false);
  });

  it('is not confused by a global RegExp used twice', () => {
    const re = /limit/g;
    expect(matchesResponse([re], 200, body)).toBe(true);
    expect(matchesResponse([re], 200, body)).toBe(true);
  });

  it('reads the body only when a body matcher needs it', () => {
    let reads = 0;
    matchesResponse([500, 502], 200, () => {
      reads++;
      return '';
    });
    expect(reads).toBe(0);
  });
});

describe('normalizeRetry', () => {
  it('defaults methods to GET and HEAD and caps retries at 3', () => {
    const p = normalizeRetry({ retryOnResponse: [500], retryOnRequest: [], maxRetries: 10 });
    expect([...p.methods]).toEqual(['GET', 'HEAD']);
    expect(p.maxRetries).toBe(3);
    expect(normalizeRetry({ retryOnResponse: [], retryOnRequest: ['post'], maxRetries: -1 })).toMatchObject({
      maxRetries: 0,
    });
    expect([...normalizeRetry({ retryOnResponse: [], retryOnRequest: ['post'], maxRetries: 1 }).methods]).toEqual([
      'POST',
    ]);
  });
});
