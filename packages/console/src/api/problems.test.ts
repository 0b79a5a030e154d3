import { describe, expect, test } from 'vitest';
import { problemsOf } from './problems';

describe('problemsOf', () => {
  test('splits a recipe error into every problem with its path', () => {
    const message =
      'steps[0].input.email: datapill "trigger.mail" is not declared: the trigger outputs: email, name\n' +
      '2 more problems:\n  - concurrency: must be an integer from 1 to 100, not 0\n  - (recipe): the recipe is incomplete';
    expect(problemsOf(message, 'steps[0].input.email')).toEqual([
      {
        path: 'steps[0].input.email',
        message: 'datapill "trigger.mail" is not declared: the trigger outputs: email, name',
      },
      { path: 'concurrency', message: 'must be an integer from 1 to 100, not 0' },
      { path: '', message: 'the recipe is incomplete' },
    ]);
  });

  test('splits a connection error listing more problems inline', () => {
    expect(
      problemsOf('values.port: must be an integer (and 1 more: values.api_key: is required)', 'values.port'),
    ).toEqual([
      { path: 'values.port', message: 'must be an integer' },
      { path: 'values.api_key', message: 'is required' },
    ]);
  });

  test('keeps a message without a path whole', () => {
    expect(problemsOf('The recipe "x" is running: stop it before changing it', 'id')).toEqual([
      { path: 'id', message: 'The recipe "x" is running: stop it before changing it' },
    ]);
    expect(problemsOf('Send a JSON object')).toEqual([{ path: '', message: 'Send a JSON object' }]);
  });
});
