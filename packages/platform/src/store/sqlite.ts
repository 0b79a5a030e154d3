/**
 * The embedded store: one SQLite file in `$WEFT_HOME` (WAL, so readers never block the writer
 * and a process crash loses nothing committed), migrated on open. The queries live in
 * kysely.ts, shared with the PostgreSQL store.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
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
      if (file !== ':memory:') ownerOnly(file);
      sqlite = new SQLite(file);
    } catch (error) {
      throw new WeftError('SETTINGS_INVALID', `Cannot open the store at ${file}: ${messageOf(error)}`);
    }
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(sqlite) }) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateToLatest();
    if (error) {
      await db.destroy();
      throw new WeftError('SETTINGS_INVALID', `Cannot migrate the store at ${file}: ${messageOf(error)}`);
    }
    return new SqliteStore(db);
  }
}

/**
 * The database file, created 0600 when missing (SQLite gives its `-wal` and `-shm` files the
 * database file's mode), and set to 0600 with the files next to it when an older version or
 * a crash left them more open. A file we do not own keeps its mode: the open then says more.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if (existsSync(path) && (statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
    } catch {
      // Not ours to change (another owner); SQLite reports what matters when it opens the file.
    }
  }
}

/** Prepared statements kept per SQL text (least recently used dropped beyond this many). */
const STATEMENT_CACHE = 500;

/**
 * The database as Kysely sees it, with its prepared statements kept: Kysely prepares every
 * query anew, while jobs and webhooks run the same few queries all the time. Reusing a
 * statement is safe here: Kysely runs one query at a time on SQLite's single connection.
 */
function keepingStatements(sqlite: SQLite.Database): { close(): void; prepare(sql: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
