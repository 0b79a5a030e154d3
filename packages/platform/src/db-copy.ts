/**
 * Moving an installation between stores (`weft db copy --from ./.weft --to postgres://…`): the
 * source is a `$WEFT_HOME` (its embedded store) or a PostgreSQL URL, and so is the target. Both
 * are held for the copy as a server would hold them (the home's lock, the database's advisory
 * lock), so no server runs on either meanwhile; the target must be empty. The master key stays
 * where it is: connections are copied sealed, and the server started on the target with the same
 * `$WEFT_HOME` (or `WEFT_MASTER_KEY`) opens them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WeftError } from '@weft/sdk';
import { type HomeLock, lockHome } from './home-lock.js';
import { type CopyCounts, copyStore, isEmpty } from './store/copy.js';
import type { KyselyStore } from './store/kysely.js';
import { isPostgresUrl, PostgresStore, safeDatabaseUrl } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';

interface Opened {
  store: KyselyStore;
  label: string;
  lock?: HomeLock;
}

async function open(where: string, role: 'source' | 'target'): Promise<Opened> {
  if (isPostgresUrl(where)) {
    const store = await PostgresStore.open(where);
    if (!(await store.holdExclusively())) {
      await store.close();
      throw new WeftError(
        'SETTINGS_INVALID',
        `A weft serve is running on the ${role} database ${safeDatabaseUrl(where)}: stop it before copying`,
      );
    }
    return { store, label: safeDatabaseUrl(where) };
  }
  const home = resolve(where);
  const file = join(home, 'weft.db');
  if (role === 'source' && !existsSync(file)) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `No embedded store at ${file}: --from takes a WEFT_HOME folder or a postgres:// URL`,
    );
  }
  if (role === 'target') mkdirSync(home, { recursive: true, mode: 0o700 });
  const lock = lockHome(home);
  try {
    return { store: await SqliteStore.open(file), label: file, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function close(opened: Opened | undefined): Promise<void> {
  if (!opened) return;
  await opened.store.close();
  opened.lock?.release();
}

export interface CopyResult {
  from: string;
  to: string;
  counts: CopyCounts;
}

export async function copyDatabase(from: string, to: string): Promise<CopyResult> {
  let source: Opened | undefined;
  let target: Opened | undefined;
  try {
    source = await open(from, 'source');
    target = await open(to, 'target');
    if (!(await isEmpty(target.store.db))) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `The target ${target.label} already holds connectors, connections or recipes: copy into an empty database`,
      );
    }
    const counts = await copyStore(source.store.db, target.store.db);
    return { from: source.label, to: target.label, counts };
  } finally {
    await close(target);
    await close(source);
  }
}
