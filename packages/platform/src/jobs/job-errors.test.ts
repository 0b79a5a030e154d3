import { WeftError } from '@weft/sdk';
import { describe, expect, test } from 'vitest';
import { StoreError } from '../store/common.js';
import { classifyError } from './job-errors.js';

describe('which failures a job tries again', () => {
  test('a connection kept locked by another process (BUSY) is tried again later', () => {
    const busy = new StoreError('BUSY', 'The connection "crm" stayed locked for more than 30 s');
    expect(classifyError(busy, 'create')).toEqual({
      error: { code: 'BUSY', message: 'The connection "crm" stayed locked for more than 30 s', stepId: 'create' },
      retryable: true,
    });
  });

  test('timeouts, refused connections, absent agents and 429/5xx are tried again; client errors are not', () => {
    const retryable = (error: unknown) => classifyError(error, 's').retryable;
    expect(retryable(new WeftError('HTTP_TIMEOUT', 'GET x: no response within 10 ms'))).toBe(true);
    expect(retryable(new WeftError('AGENT_OFFLINE', 'no agent of "plant" is online'))).toBe(true);
    expect(retryable(Object.assign(new WeftError('HTTP_ERROR', 'HTTP 503'), { status: 503 }))).toBe(true);
    expect(retryable(Object.assign(new WeftError('HTTP_ERROR', 'HTTP 404'), { status: 404 }))).toBe(false);
    expect(retryable(new StoreError('NOT_FOUND', 'no connection "crm"'))).toBe(false);
    expect(retryable(new Error('a bug'))).toBe(false);
  });
});
