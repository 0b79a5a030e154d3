import { describe, expect, test } from 'vitest';
import type { Halt } from './run.js';
import { retries, retryDelayMs, transition } from './status.js';

const policy = { jobMaxAttempts: 3, jobRetryBaseMs: 5000 };
const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const AT = new Date(NOW).toISOString();
const error = { code: 'HTTP_ERROR', message: 'GET /x failed with HTTP 503', stepId: 'a' };

describe('job status after a run', () => {
  test('a walk through every step, or a stop without error, succeeds', () => {
    for (const halt of [undefined, { kind: 'stop' } as const]) {
      expect(transition(halt, 1, policy, NOW, AT)).toEqual({
        kind: 'write',
        patch: { status: 'succeeded', error: null, finishedAt: AT, runAt: null },
        outcome: { kind: 'finished', status: 'succeeded' },
      });
    }
  });

  test('a stop with an error fails with that error', () => {
    const stopped = { code: 'STOPPED', message: 'no', stepId: 's' };
    const next = transition({ kind: 'stop', error: stopped }, 1, policy, NOW, AT);
    expect(next).toMatchObject({ patch: { status: 'failed', error: stopped }, outcome: { status: 'failed' } });
  });

  test('a retryable failure waits base, 2·base, 4·base, then fails on the last attempt', () => {
    const halt: Halt = { kind: 'failed', error, retryable: true };
    expect(transition(halt, 1, policy, NOW, AT)).toEqual({
      kind: 'write',
      patch: { status: 'pending', error, runAt: new Date(NOW + 5000).toISOString() },
      outcome: { kind: 'later', status: 'pending', runAt: NOW + 5000 },
    });
    expect(transition(halt, 2, policy, NOW, AT)).toMatchObject({ outcome: { runAt: NOW + 10_000 } });
    expect(transition(halt, 3, policy, NOW, AT)).toMatchObject({
      patch: { status: 'failed', error, finishedAt: AT, runAt: null },
      outcome: { kind: 'finished', status: 'failed' },
    });
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy))).toEqual([5000, 10_000, 20_000]);
  });

  test('a failure that is not retryable fails at once', () => {
    const halt: Halt = { kind: 'failed', error, retryable: false };
    expect(retries(halt, 1, policy)).toBe(false);
    expect(transition(halt, 1, policy, NOW, AT)).toMatchObject({ outcome: { kind: 'finished', status: 'failed' } });
  });

  test('a suspended step makes the job suspended until its time; a closing server leaves it running', () => {
    expect(transition({ kind: 'suspended', runAt: NOW + 60_000 }, 1, policy, NOW, AT)).toEqual({
      kind: 'write',
      patch: { status: 'suspended', runAt: new Date(NOW + 60_000).toISOString() },
      outcome: { kind: 'later', status: 'suspended', runAt: NOW + 60_000 },
    });
    expect(transition({ kind: 'interrupted' }, 1, policy, NOW, AT)).toEqual({ kind: 'interrupted' });
  });
});
