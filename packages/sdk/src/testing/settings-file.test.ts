import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { WeftError } from '../errors.js';
import { loadConnector } from './index.js';

const SHOP = fileURLToPath(new URL('./__fixtures__/shop/connector.ts', import.meta.url));
const SECRET = 'sk-live-0ddba11-never-print';

async function settingsFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-settings-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected loadConnector to fail'),
    (error: unknown) => error as WeftError,
  );

describe('loadConnector reads a settings file as the weft command does', () => {
  test('a settings file that is not valid JSON is named without quoting its text', async () => {
    const file = await settingsFile('settings.json', `{ "api_key": ${SECRET} }`);
    const error = await failure(loadConnector(SHOP, { settings: file }));
    expect(error).toBeInstanceOf(WeftError);
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.message).toMatch(/settings\.json: not valid JSON \(Unexpected token/);
    // V8 quotes the text around the bad token: the start of the key would show.
    expect(error.message).not.toContain('sk-live');
  });

  test('a YAML error gives the problem and its position only', async () => {
    const file = await settingsFile('settings.yaml', `api_key: "${SECRET}\npassword: [${SECRET}`);
    const error = await failure(loadConnector(SHOP, { settings: file }));
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.message).toMatch(/settings\.yaml: not valid YAML/);
    expect(error.message).not.toContain('sk-live');
  });

  test('a connection name the file does not hold is named with the ones it has', async () => {
    const file = await settingsFile('settings.yaml', 'sandbox:\n  api_key: a\nlive:\n  api_key: b\n');
    const error = await failure(loadConnector(SHOP, { settings: file, connection: 'staging' }));
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.message).toBe(`${file} has no connection named "staging" (it has: sandbox, live)`);
    const several = await failure(loadConnector(SHOP, { settings: file }));
    expect(several.message).toBe(
      `${file} holds several connections (sandbox, live): choose one with connection: "<name>"`,
    );
  });

  test('the chosen connection of a file with several is the test connection', async () => {
    const file = await settingsFile('settings.yaml', 'sandbox:\n  api_key: a\nlive:\n  api_key: b\n');
    const shop = await loadConnector(SHOP, { settings: file, connection: 'live' });
    expect(shop.connection).toMatchObject({ api_key: 'b' });
  });
});
