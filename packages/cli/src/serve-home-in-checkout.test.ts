/**
 * `npm start` in a Weft checkout keeps its data in `./.weft`, inside the checkout: the connector
 * bundles then sit below the checkout's `node_modules`, which the host is also given as Weft's
 * own. Each path must reach the host's permission flags once (Node 20 aborts on a repeated
 * `--allow-fs-read`), so the connectors load there as they do anywhere else.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { startWeft } from './test-helpers.js';

const CHECKOUT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__/connectors', import.meta.url));
const homes: string[] = [];

afterAll(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

test('weft serve with its data directory inside the checkout loads the connectors in their hosts', async () => {
  // Under the checkout's node_modules (ignored by git), as ./.weft is under the checkout.
  const parent = join(CHECKOUT, 'node_modules', '.cache');
  await mkdir(parent, { recursive: true });
  const home = await mkdtemp(join(parent, 'weft-serve-home-'));
  homes.push(home);
  const weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES, '--no-builtins'], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '' },
  });
  try {
    await weft.waitFor(/roles: /, { stream: 'stdout', timeoutMs: 30_000 });
    expect(weft.stdout()).toMatch(/^ {2}connectors: crm$/m);
  } finally {
    await weft.stop('SIGTERM');
  }
});
