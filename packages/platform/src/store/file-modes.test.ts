/**
 * The store holds every job's data and the sealed connections: `weft.db` and the `-wal` and
 * `-shm` files SQLite keeps next to it are readable by their owner only (0600), on a new home
 * and on one made by an older Weft (0644), whatever the umask.
 */
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { startServer } from '../serve.js';

const FILES = ['weft.db', 'weft.db-wal', 'weft.db-shm'];
const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

async function startAndWrite(home: string) {
  const server = await startServer({ port: 0, home, connectorDirs: [], env: {}, onWarning: () => {} });
  // A write, so that the WAL holds something.
  await server.store.insertRecipe(newRecipe());
  return server;
}

describe('weft.db and its -wal and -shm files', () => {
  test('are created 0600 in a new home, even with a permissive umask', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-modes-'));
    const umask = process.umask(0o002);
    try {
      const server = await startAndWrite(home);
      try {
        for (const name of FILES) {
          expect(existsSync(join(home, name)), name).toBe(true);
          expect(modeOf(join(home, name)), name).toBe('600');
        }
      } finally {
        await server.close();
      }
    } finally {
      process.umask(umask);
    }
  });

  test('are made 0600 when an older installation left them 0644', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-modes-old-'));
    await (await startAndWrite(home)).close();
    await chmod(join(home, 'weft.db'), 0o644);
    // Left behind by a crash of an older version.
    for (const name of ['weft.db-wal', 'weft.db-shm']) {
      if (!existsSync(join(home, name))) await writeFile(join(home, name), '');
      await chmod(join(home, name), 0o644);
    }
    const server = await startAndWrite(home);
    try {
      for (const name of FILES) expect(modeOf(join(home, name)), name).toBe('600');
      expect((await server.store.listRecipes({ limit: 10 })).items).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
