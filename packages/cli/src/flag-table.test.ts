import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { addFlags, type FlagsOf, flagTable } from './flag-table.js';
import { runWeft } from './test-helpers.js';

const table = flagTable([
  { flags: '--config-fields <json|@file>', description: 'a value' },
  { flags: '--follow', description: 'on or off' },
  { flags: '--no-browser', description: 'on unless given' },
  { flags: '--max-steps <n>', description: 'with a default', default: '100', positive: true },
  { flags: '--cassettes <dir>', description: 'repeatable', repeatable: true },
  { flags: '--status <status>', description: 'choices', choices: ['running', 'stopped'] },
]);

function parse(argv: string[]): FlagsOf<typeof table> {
  const command = addFlags(new Command('t').exitOverride(), table);
  command.configureOutput({ writeErr: () => {} });
  command.parse(argv, { from: 'user' });
  return command.opts<FlagsOf<typeof table>>();
}

describe('a flag table', () => {
  test('declares each flag on commander under the key its type names', () => {
    expect(parse([])).toEqual({ browser: true, maxSteps: '100' });
    expect(
      parse([
        '--config-fields={"a":1}',
        '--follow',
        '--no-browser',
        '--max-steps=3',
        '--cassettes=a',
        '--cassettes=b',
        '--status=stopped',
      ]),
    ).toEqual({
      configFields: '{"a":1}',
      follow: true,
      browser: false,
      maxSteps: '3',
      cassettes: ['a', 'b'],
      status: 'stopped',
    });
  });

  test('rejects a value outside the choices or a count that is not positive', () => {
    expect(() => parse(['--status=paused'])).toThrow(/Allowed choices are running, stopped/);
    expect(() => parse(['--max-steps=0'])).toThrow(/must be a positive integer, got "0"/);
  });

  test('the weft command offers the statuses of the model', async () => {
    const result = await runWeft(['jobs', 'list', '--status=paused']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are pending, running, suspended, succeeded, failed, stopped/);
  });
});
