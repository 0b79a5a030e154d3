import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { runWeft } from './test-helpers.js';

test('weft new creates a project that runs with weft exec right away', async () => {
  const root = await mkdtemp(join(tmpdir(), 'weft-new-'));
  const created = await runWeft(['new', 'acme-crm'], { cwd: root });
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('Created Acme Crm');
  // The next steps are commands a shell runs as printed: the weft bin is not on PATH, npx finds it.
  expect(created.stdout).toContain(
    'Next:\n  cd acme-crm\n  npx weft exec actions.greet.execute --input=input.json\n  npx weft validate\n  npx weft test\n',
  );
  const dir = join(root, 'acme-crm');
  expect((await readdir(dir)).sort()).toEqual(
    [
      '.gitignore',
      'README.md',
      '__cassettes__',
      'connector.test.ts',
      'connector.ts',
      'input.json',
      'package.json',
      'settings.yaml.example',
      'tsconfig.json',
    ].sort(),
  );
  // Installable outside this repository: the SDK and the CLI at this Weft's version.
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  expect(manifest.name).toBe('acme-crm');
  expect(manifest.dependencies['@weft/sdk']).toMatch(/^\^\d+\.\d+\.\d+/);
  expect(manifest.devDependencies['@weft/cli']).toBe(manifest.dependencies['@weft/sdk']);
  expect(JSON.stringify(manifest)).not.toMatch(/__[A-Z_]+__/);
  const result = await runWeft(['exec', 'actions.greet.execute', '--input=input.json'], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({ greeting: 'Hello, Ada! Hello, Ada!' });
  const valid = await runWeft(['validate'], { cwd: dir });
  expect(valid.code).toBe(0);
  expect(valid.stdout).toMatch(/acme-crm: valid \(2 actions/);
  // No stray bundle files are left beside the connector.
  expect((await readdir(dir)).some((f) => f.includes('timestamp'))).toBe(false);
});

test('weft new refuses a folder that is not empty', async () => {
  const root = await mkdtemp(join(tmpdir(), 'weft-new-'));
  await writeFile(join(root, 'keep.txt'), 'mine');
  const result = await runWeft(['new', root]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/already exists and is not empty/);
  expect(await readFile(join(root, 'keep.txt'), 'utf8')).toBe('mine');
});

test('weft validate lists every problem with its path and exits non-zero', async () => {
  const bad = fileURLToPath(new URL('./__fixtures__/bad-definition', import.meta.url));
  const result = await runWeft(['validate', bad]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/has \d+ problems/);
  expect(result.stderr).toMatch(/title: /);
  expect(result.stderr).toMatch(/actions\.create_contact\.execute: must be a function/);
  expect(result.stderr).toMatch(/pickLists\.colors: must be a function/);
});

test('weft --help lists the commands', async () => {
  const result = await runWeft(['--help']);
  expect(result.code).toBe(0);
  for (const command of ['exec', 'validate', 'new']) expect(result.stdout).toContain(command);
});

test('an unknown command is a usage error with a suggestion', async () => {
  const result = await runWeft(['exce']);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/unknown command 'exce'/);
  expect(result.stderr).toMatch(/exec/);
});
