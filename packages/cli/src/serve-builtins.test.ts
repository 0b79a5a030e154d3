/**
 * `weft serve` and the built-in connectors: listed on start next to the user's connectors, and
 * left out with `--no-builtins` (or `WEFT_BUILTINS=off`, which the test suite sets).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { startWeft } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__/connectors', import.meta.url));

async function serveOutput(flags: string[]): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-builtins-'));
  // WEFT_BUILTINS empty: the default (the suite runs with it off).
  const weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES, ...flags], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '', WEFT_BUILTINS: '' },
  });
  try {
    await weft.waitFor(/roles: /, { stream: 'stdout', timeoutMs: 30_000 });
    return weft.stdout();
  } finally {
    await weft.stop('SIGTERM');
  }
}

test('weft serve loads the built-in connectors by default and lists them apart; --no-builtins leaves them out', async () => {
  const on = await serveOutput([]);
  expect(on).toMatch(/^ {2}connectors: crm$/m);
  expect(on).toMatch(/^ {2}built-in connectors: .*\bhttp\b/m);
  const off = await serveOutput(['--no-builtins']);
  expect(off).toMatch(/^ {2}connectors: crm$/m);
  expect(off).not.toContain('built-in connectors');
});
