/** The domain's errors carry a kind, a code, a message and a path; the API maps each kind to one status. */
import { describe, expect, test } from 'vitest';
import { STATUS_OF_KIND, statusOf } from './api/errors.js';
import { ConflictError, FailedError, ForbiddenError, InvalidError, NotFoundError, UnsupportedError } from './errors.js';

describe('domain errors', () => {
  test('each kind answers with its own status', () => {
    const cases: [Error, number][] = [
      [new InvalidError('INVALID_REQUEST', 'name: is required', 'name'), 400],
      [new ForbiddenError('FORBIDDEN', 'no'), 403],
      [new NotFoundError('RECIPE_NOT_FOUND', 'No recipe with id "x"', 'id'), 404],
      [new ConflictError('RECIPE_RUNNING', 'stop it first', 'id'), 409],
      [new UnsupportedError('UNSUPPORTED_MEDIA_TYPE', 'send text'), 415],
      [new FailedError('LAMBDA_FAILED', 'the connector failed'), 422],
    ];
    for (const [error, status] of cases) expect(statusOf(error), error.name).toBe(status);
    expect(Object.keys(STATUS_OF_KIND).length).toBe(cases.length);
  });

  test('keep their code, message and path, and are no HTTP errors', () => {
    const error = new NotFoundError('CONNECTION_NOT_FOUND', 'No connection named "a"', 'name');
    expect(error).toMatchObject({ kind: 'not_found', code: 'CONNECTION_NOT_FOUND', path: 'name' });
    expect(error.message).toBe('No connection named "a"');
    expect(error.name).toBe('NotFoundError');
    expect('status' in error).toBe(false);
    expect(statusOf(new Error('other'))).toBeUndefined();
  });
});
