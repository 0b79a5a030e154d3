/**
 * `weft check` and `weft generate test` on a config-driven connector (Kizen-like): config field
 * values and pick-list arguments from flags, dependent pick lists called with their parents'
 * values instead of with no arguments.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, runWeft, startServer, type TestServer } from './test-helpers.js';

const FIXTURE = fileURLToPath(new URL('./__fixtures__/config-driven', import.meta.url));

let api: TestServer;
let dir: string;
let settings: string;

beforeAll(async () => {
  api = await startServer((req, res) => {
    const m = /^\/objects\/(contacts|tasks)\/fields$/.exec(req.url ?? '');
    if (m) return json(res, 200, [{ name: m[1] === 'tasks' ? 'due' : 'email' }]);
    json(res, 404, { error: `no ${req.url}` });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-config-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}\n`);
});

afterAll(async () => {
  await api.close();
});

const fieldRequests = () => api.requests.map((r) => r.url).filter((u) => u.endsWith('/fields'));

describe('weft check', () => {
  test('resolves fields with --config-fields and calls dependent pick lists with the parent value', async () => {
    const result = await runWeft([
      'check',
      FIXTURE,
      `--settings=${settings}`,
      '--config-fields',
      '{"object_type":"deals"}',
      '--args',
      '{"team":"t1"}',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('contract checks passed: 0 errors, 0 warnings');
    expect(result.code).toBe(0);
  });

  test('config values default to a sample (the first option), never undefined', async () => {
    api.requests.length = 0;
    const result = await runWeft(['check', FIXTURE, `--settings=${settings}`, '--args={"team":"t1"}']);
    expect(fieldRequests()).toEqual(['/objects/contacts/fields']);
    expect(result.stdout).not.toMatch(/^error/m);
    expect(result.code).toBe(0);

    api.requests.length = 0;
    const file = join(dir, 'config.json');
    await writeFile(file, '{"object_type":"tasks"}');
    const chosen = await runWeft(['check', FIXTURE, `--settings=${settings}`, `--config-fields=@${file}`]);
    expect(fieldRequests()).toEqual(['/objects/tasks/fields']);
    expect(chosen.code).toBe(0);
  });

  test('a pick list that fails without the arguments it takes is a warning pointing at --args, not an error', async () => {
    const result = await runWeft(['check', FIXTURE, '--config-fields={"object_type":"deals"}']);
    expect(result.stdout).toMatch(/^warning +pickLists\.users: .*--args/m);
    expect(result.stdout).not.toMatch(/^error/m);
    expect(result.stdout).not.toMatch(/pickLists\.stages/);
    expect(result.code).toBe(0);
  });
});

describe('weft generate test', () => {
  test('writes config values and dependent pick-list values into the fixture', async () => {
    const root = await mkdtemp(join(tmpdir(), 'weft-generate-config-'));
    await cp(FIXTURE, root, { recursive: true });
    const result = await runWeft(
      [
        'generate',
        'test',
        '--action=create_record',
        '--config-fields={"object_type":"deals"}',
        '--args',
        '{"team":"t1"}',
      ],
      { cwd: root },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(join(root, 'tests/fixtures/create_record.input.json'), 'utf8'))).toEqual({
      object_type: 'deals',
      pipeline: 'p-1',
      stage: 'p-1-s1',
      owner: 't1-lead',
    });
  });

  test('without flags the config value is sampled from its pick list', async () => {
    const root = await mkdtemp(join(tmpdir(), 'weft-generate-config-'));
    await cp(FIXTURE, root, { recursive: true });
    const result = await runWeft(['generate', 'test'], { cwd: root });
    expect(result.code).toBe(0);
    // The input fields of "contacts" need the API (generate runs offline): only the config value.
    expect(JSON.parse(await readFile(join(root, 'tests/fixtures/create_record.input.json'), 'utf8'))).toEqual({
      object_type: 'contacts',
    });
  });
});
