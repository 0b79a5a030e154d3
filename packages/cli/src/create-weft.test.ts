/**
 * create-weft from the checkout (`node packages/create-weft/bin/create-weft.js`, which reads the
 * CLI's template there; installable.test.ts runs it from its packed tarball): it writes exactly
 * what `weft new` writes, and refuses what `weft new` refuses.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { type RunResult, runCommand, runWeft } from './test-helpers.js';

const CREATE_WEFT = fileURLToPath(new URL('../../create-weft/bin/create-weft.js', import.meta.url));

function createWeft(args: string[], cwd: string): Promise<RunResult> {
  return runCommand(process.execPath, [CREATE_WEFT, ...args], { cwd });
}

async function filesOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = join(entry.parentPath, entry.name);
      files[relative(dir, file)] = await readFile(file, 'utf8');
    }
  }
  return files;
}

test('create-weft writes the project weft new writes', async () => {
  const a = await mkdtemp(join(tmpdir(), 'create-weft-'));
  const b = await mkdtemp(join(tmpdir(), 'create-weft-'));
  const created = await createWeft(['acme-crm', '--title', 'Acme CRM'], a);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('Created Acme CRM in acme-crm');
  expect(created.stdout).toMatch(/cd acme-crm\n\s+npm install\n/);
  expect((await runWeft(['new', 'acme-crm', '--title', 'Acme CRM'], { cwd: b })).code).toBe(0);
  const made = await filesOf(join(a, 'acme-crm'));
  expect(made).toEqual(await filesOf(join(b, 'acme-crm')));
  expect(Object.keys(made)).toContain('.gitignore');
  expect(Object.keys(made)).toContain('tsconfig.json');
  expect(made['connector.ts']).toContain("title: 'Acme CRM'");
});

test('create-weft without a folder prints its usage; a folder that is not empty is refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'create-weft-'));
  const bare = await createWeft([], root);
  expect(bare.code).toBe(2);
  expect(bare.stderr).toMatch(/^Usage: npm create weft@latest <folder>/);
  const help = await createWeft(['--help'], root);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage:/);
  await writeFile(join(root, 'keep.txt'), 'mine');
  const full = await createWeft(['.'], root);
  expect(full.code).toBe(2);
  expect(full.stderr).toMatch(/^create-weft: \. already exists and is not empty/);
  const unknown = await createWeft(['x', '--nope'], root);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unexpected argument --nope/);
});
