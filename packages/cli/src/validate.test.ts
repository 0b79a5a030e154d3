/** `weft validate`: a valid connector is summed up in one line, counted in good English. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runWeft } from './test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('one of a kind is singular, none and several are plural', async () => {
  const file = join(dir, 'counts.mjs');
  await writeFile(
    file,
    `export default {
  title: 'Counts',
  connection: { fields: [] },
  test: () => ({ ok: true }),
  actions: { one: { execute: () => ({}) } },
  triggers: { only: { poll: () => ({ events: [] }) } },
  pickLists: { a: () => [], b: () => [] },
};
`,
  );
  const result = await runWeft(['validate', file]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('counts: valid (1 action, 1 trigger, 2 pick lists, 0 methods)\n');
});
