import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { json, runWeft, startServer } from './test-helpers.js';

const PROBLEMS = fileURLToPath(new URL('../../sdk/src/testing/__fixtures__/bad', import.meta.url));

/** A fresh `weft new` project (no npm install: Vitest and the SDK come from Weft itself). */
async function newProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'weft-testing-'));
  const created = await runWeft(['new', 'acme-crm'], { cwd: root });
  expect(created.code).toBe(0);
  return join(root, 'acme-crm');
}

describe('weft test', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await newProject();
  }, 60_000);

  test('passes in a fresh weft new project, replaying the shipped cassette, then runs the contract checks', async () => {
    const result = await runWeft(['test'], { cwd: dir });
    expect(result.stderr + result.stdout).toMatch(/2 passed/);
    expect(result.stdout).toMatch(/acme-crm: contract checks passed: 0 errors, 0 warnings/);
    expect(result.code).toBe(0);
  });

  test("--isolate runs the tests under a connector host's rules: the project passes, a read outside it fails", async () => {
    const isolated = await runWeft(['test', '--isolate'], { cwd: dir });
    expect(isolated.stderr + isolated.stdout).toMatch(/2 passed/);
    expect(isolated.code).toBe(0);

    const other = await newProject();
    const file = join(other, 'connector.ts');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        'actions: {',
        "actions: {\n    peek: { execute: async () => ({ text: (await import('node:fs')).readFileSync('/etc/hostname', 'utf8') }) },",
      ),
    );
    await writeFile(
      join(other, 'peek.test.ts'),
      `import { loadConnector } from '@weft/sdk/testing';
import { expect, test } from 'vitest';
test('peek', async () => {
  const connector = await loadConnector('./connector.ts', { cassette: false });
  expect(await connector.actions.peek.execute()).toHaveProperty('text');
});
`,
    );
    const plain = await runWeft(['test', '--no-check', 'peek.test.ts'], { cwd: other });
    expect(plain.stdout + plain.stderr).toMatch(/1 passed/);
    const refused = await runWeft(['test', '--no-check', '--isolate', 'peek.test.ts'], { cwd: other });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(
      /FileSystemRead[\s\S]*\/etc\/hostname|\/etc\/hostname[\s\S]*FileSystemRead/,
    );
    // The bundle made for the isolated run is gone.
    expect((await readdir(other)).filter((f) => f.includes('weft-isolate'))).toEqual([]);
  }, 90_000);

  test('passes Vitest arguments through', async () => {
    const result = await runWeft(['test', '-t', 'greet'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 passed \| 1 skipped|1 skipped/);
  });

  test('weft generate test writes a test and an input fixture that run, and refuses to overwrite them', async () => {
    const generated = await runWeft(['generate', 'test', '--action=greet'], { cwd: dir });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('wrote tests/greet.test.ts and tests/fixtures/greet.input.json');
    expect(JSON.parse(await readFile(join(dir, 'tests/fixtures/greet.input.json'), 'utf8'))).toEqual({
      name: 'example name',
      times: 1,
    });
    const run = await runWeft(['test', 'tests/greet.test.ts'], { cwd: dir });
    expect(run.stdout).toMatch(/1 passed/);
    expect(run.code).toBe(0);

    const again = await runWeft(['generate', 'test', '--action=greet'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not overwriting tests\/greet\.test\.ts.*pass --force/);
    const forced = await runWeft(['generate', 'test', '--action=greet', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
  });

  test('a generated test of an action that calls the API has a cassette slot to record', async () => {
    const generated = await runWeft(['generate', 'test', '--action=get_item'], { cwd: dir });
    expect(generated.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'tests/fixtures/get_item.input.json'), 'utf8'))).toEqual({ id: 1 });
    const run = await runWeft(['test', 'tests/get_item.test.ts', '--no-check'], { cwd: dir });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(
      /no cassette at .*tests\/__cassettes__\/get_item\.test\.ts\/get_item\.json: record it with WEFT_RECORD=1/,
    );
  });

  test('a request that differs from the cassette fails weft test with a diff', async () => {
    const other = await newProject();
    const file = join(other, 'connector.test.ts');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{ input: { id: 7 } }', '{ input: { id: 8 } }'));
    const result = await runWeft(['test'], { cwd: other });
    expect(result.code).not.toBe(0);
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/no recorded request matches/);
    expect(out).toMatch(/- https:\/\/api\.example\.com\/v1\/items\/7/);
    expect(out).toMatch(/\+ https:\/\/api\.example\.com\/v1\/items\/8/);
  });

  test('contract problems fail weft test even when the tests pass', async () => {
    const other = await newProject();
    const file = join(other, 'connector.ts');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        "outputFields: [{ name: 'id', type: 'integer' }, { name: 'name' }],",
        "outputFields: [{ name: 'id', type: 'integer' }, { name: 'name' }],\n      sampleOutput: { id: 'seven' },",
      ),
    );
    const result = await runWeft(['test'], { cwd: other });
    expect(result.stdout).toMatch(/2 passed/);
    expect(result.stdout).toMatch(/error +actions\.get_item\.sampleOutput\.id: must be an integer/);
    expect(result.stdout).toMatch(/contract checks failed: 1 error/);
    expect(result.code).toBe(1);
  });
});

describe('weft test --record', () => {
  test('records against the API in settings.yaml without its key; replay then needs neither', async () => {
    const dir = await newProject();
    const api = await startServer((req, res) => {
      if (req.headers.authorization !== 'Bearer sk-record-me-0123') return json(res, 401, { error: 'no' });
      json(res, 200, { id: Number(req.url?.split('/').pop()), name: 'First item' });
    });
    const cassette = join(dir, '__cassettes__/connector.test.ts/get_item-reads-an-item-from-the-API.json');
    try {
      await rm(cassette);
      // The shipped test expects the example API's URL: point it at this server.
      const testFile = join(dir, 'connector.test.ts');
      await writeFile(
        testFile,
        (await readFile(testFile, 'utf8')).replaceAll('https://api.example.com/v1', `${api.url}/v1`),
      );
      await writeFile(join(dir, 'settings.yaml'), `base_url: ${api.url}/v1\napi_key: sk-record-me-0123\n`);
      const recorded = await runWeft(['test', '--record'], { cwd: dir });
      expect(recorded.stdout).toMatch(/2 passed/);
      expect(recorded.code).toBe(0);
      expect(api.requests.map((r) => r.url)).toEqual(['/v1/items/7']);
      const text = await readFile(cassette, 'utf8');
      expect(text).not.toContain('sk-record-me-0123');
      expect(text).toContain('Bearer <<SECRET:api_key>>');
    } finally {
      await api.close();
    }
    await rm(join(dir, 'settings.yaml'));
    const replayed = await runWeft(['test'], { cwd: dir });
    expect(replayed.stdout).toMatch(/2 passed/);
    expect(replayed.code).toBe(0);
  });
});

describe('weft check', () => {
  test('reports every problem at once with its path and exits non-zero', async () => {
    const result = await runWeft(['check', PROBLEMS]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error +actions\.wrong_sample\.sampleOutput\.id: must be an integer/),
        expect.stringMatching(/^error +actions\.wrong_sample\.sampleOutput\.tags: must be an array/),
        'skipped  actions.dynamic.inputFields: needs a connection; skipped',
        expect.stringMatching(/^warning +triggers\.no_dedup\.dedup: not defined/),
        expect.stringMatching(/^error +pickLists\.flat: .*\[label, value\] pairs/),
        expect.stringMatching(/contract checks failed: 3 errors, 1 warning, 1 skipped/),
      ]),
    );
  });

  test('with settings, lambdas that call the API are checked against it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-check-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(settings, 'base_url: http://127.0.0.1:9/\n');
    const result = await runWeft(['check', PROBLEMS, `--settings=${settings}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error +actions\.dynamic\.inputFields: .*connection refused/m);
  });

  test('a clean connector passes', async () => {
    const dir = await newProject();
    const result = await runWeft(['check'], { cwd: dir });
    expect(result.stdout).toMatch(/acme-crm: contract checks passed: 0 errors, 0 warnings/);
    expect(result.code).toBe(0);
  });
});
