/**
 * The embedded store: one SQLite file in `$WEFT_HOME` (WAL, so readers never block the writer
 * and a process crash loses nothing committed), migrated on open. The queries live in
 * kysely.ts, shared with the PostgreSQL store.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf, WeftError } from '@weft/sdk';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';

export interface SqliteOptions {
  /** `FULL` survives power loss; `NORMAL` (default) survives a process crash. */
  synchronous?: 'NORMAL' | 'FULL';
}

export class SqliteStore extends KyselyStore {
  static async open(file: string, options: SqliteOptions = {}): Promise<SqliteStore> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(file);
    } catch (error) {
      throw new WeftError('SETTINGS_INVALID', `Cannot open the store at ${file}: ${messageOf(error)}`);
    }
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateToLatest();
    if (error) {
      await db.destroy();
      throw new WeftError('SETTINGS_INVALID', `Cannot migrate the store at ${file}: ${messageOf(error)}`);
    }
    return new SqliteStore(db);
  }
}
