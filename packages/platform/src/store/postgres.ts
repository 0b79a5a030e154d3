/**
 * The PostgreSQL store: the same repositories and queries as the embedded store (kysely.ts),
 * over a connection pool, migrated on open. `weft serve --database postgres://…` (or
 * `WEFT_DATABASE_URL`) runs on it.
 */
import { messageOf, WeftError } from '@weft/sdk';
import { Kysely, type Migration, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PgBus } from '../cluster/pg-bus.js';
import { PgJobClaims } from './job-claims.js';
import { KyselyStore } from './kysely.js';
import { migrationsFor } from './migrations.js';
import type { Database } from './schema.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** The URL without its password, for messages. */
export function safeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database URL';
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

export class PostgresStore extends KyselyStore {
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    if (!isPostgresUrl(url)) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `The database URL must start with postgres:// or postgresql://, got ${safeDatabaseUrl(url)}`,
      );
    }
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // A dropped idle connection is the pool's to replace, not a crash of the server.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor('postgres') } });
    const { error } = await migrator.migrateToLatest();
    if (error) {
      await db.destroy();
      throw new WeftError(
        'SETTINGS_INVALID',
        `Cannot open the PostgreSQL store at ${safeDatabaseUrl(url)}: ${messageOf(error)}`,
      );
    }
    return new PostgresStore(db, pool, url);
  }

  private holder?: pg.PoolClient;
  /** The claims of the queue on PostgreSQL (jobs/pg-queue.ts). */
  readonly jobClaims: PgJobClaims;

  constructor(
    db: Kysely<Database>,
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {
    super(db);
    this.jobClaims = new PgJobClaims(db);
  }

  /** The cluster bus over this database (`LISTEN/NOTIFY`), listening when it resolves. */
  openBus(nodeId?: string): Promise<PgBus> {
    return PgBus.open(this.url, this.pool, nodeId);
  }

  /**
   * Holds the database for this process alone (a session advisory lock on a connection kept
   * open, released when the process ends however it ends): `weft db copy` holds its target so
   * two copies cannot interleave. False when another process holds it.
   */
  async holdExclusively(): Promise<boolean> {
    const client = await this.pool.connect();
    const { rows } = await client.query<{ held: boolean }>('select pg_try_advisory_lock($1) as held', [SERVER_LOCK]);
    if (!rows[0]?.held) {
      client.release();
      return false;
    }
    // The connection may drop (the database restarts): the lock goes with it. That is an error
    // of this connection, not of the process; the next query tells the rest of the server.
    client.on('error', () => {
      if (this.holder === client) this.holder = undefined;
    });
    this.holder = client;
    return true;
  }

  protected override migrationSet(): Record<string, Migration> {
    return migrationsFor('postgres');
  }

  override async close(): Promise<void> {
    this.holder?.release();
    this.holder = undefined;
    await super.close();
  }
}

/** The advisory lock key of a server holding the database (an arbitrary constant: "weft"). */
const SERVER_LOCK = 0x77656674;
