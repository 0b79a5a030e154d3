import { describe, expect, it } from 'vitest';
import { formatRelative } from './time';

describe('formatRelative', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  it('says how long ago, in the largest whole unit', () => {
    expect(formatRelative('2026-01-10T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-01-10T11:59:30Z', now)).toBe('30 s ago');
    expect(formatRelative('2026-01-10T11:57:00Z', now)).toBe('3 min ago');
    expect(formatRelative('2026-01-10T07:00:00Z', now)).toBe('5 h ago');
    expect(formatRelative('2026-01-09T11:00:00Z', now)).toBe('1 day ago');
    expect(formatRelative('2026-01-01T12:00:00Z', now)).toBe('9 days ago');
  });
  it('shows a dash for no time and keeps what is not a date', () => {
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('soon', now)).toBe('soon');
  });
  it('reads a time a little ahead (another clock) as just now', () => {
    expect(formatRelative('2026-01-10T12:00:03Z', now)).toBe('just now');
  });
});
