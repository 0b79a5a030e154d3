/**
 * `weft exec` on a connector shaped like the Kizen port: schemas driven by a config field
 * through an object definition, and `description`/`help` given as functions.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, startServer, type TestServer } from './test-helpers.js';

const KIZEN = fileURLToPath(
  new URL('../../platform/src/__fixtures__/real-connectors/kizen/connector.ts', import.meta.url),
);

let api: TestServer;
let dir: string;
let settings: string;
let config: string;

const exec = (path: string, ...flags: string[]) => execWeft(KIZEN, settings, path, ...flags);

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.url === '/custom-objects/deals/fields') json(res, 200, { fields: [{ name: 'deal_value' }] });
    else json(res, 404, { error: 'not found' });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-real-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}\nuser_id: u1\nbusiness_id: b1\napi_key: kz-0123456789\n`);
  config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ object: 'deals' }));
});
afterAll(() => api.close());

describe('weft exec with config fields', () => {
  test('input_fields read through an object definition see --config-fields', async () => {
    const result = await exec('actions.create_record.input_fields', `--config-fields=${config}`);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).map((f: { name: string }) => f.name)).toEqual(['id', 'deal_value']);
  });

  test('execute sees its resolved output fields', async () => {
    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ object: 'deals', id: '1', deal_value: '5' }));
    const result = await exec('actions.create_record.execute', `--input=${input}`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).extendedOutputSchema).toEqual(['id', 'deal_value']);
  });
});

describe('weft exec of description and help', () => {
  test('a description function is evaluated with the config fields', async () => {
    const result = await exec('actions.create_record.description', `--config-fields=${config}`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toBe('Create a <b>deals</b> in Kizen');
  });

  test('help is { body, learnMoreUrl }', async () => {
    const result = await exec('actions.create_record.help');
    expect(JSON.parse(result.stdout)).toEqual({
      body: 'Creates one record of the chosen object.',
      learnMoreUrl: 'https://kizen.example/docs',
    });
  });

  test('a throwing description is one clear line, no stack trace', async () => {
    const result = await exec('actions.broken_help.description');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "weft: actions.broken_help.description failed: Cannot read properties of undefined (reading 'label')",
    );
  });
});
