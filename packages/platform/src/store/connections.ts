/**
 * Connections: their values sealed by the vault before they reach the store.
 */
import type { Kysely, Selectable } from 'kysely';
import { type Page, type PageRequest, StoreError } from './common.js';
import { isLockTimeout, isPostgres, limitLockWait } from './dialect.js';
import type { ConnectionTable, Database } from './schema.js';
import { affected, insertOrConflict, keysetPage, now } from './sql.js';

/** Connection values as the vault sealed them. */
export interface SealedValues {
  /** base64 of ciphertext ‖ tag. */
  valuesEncrypted: string;
  keyId: string;
  /** base64 of the 12-byte nonce. */
  nonce: string;
}

export interface ConnectionRecord extends SealedValues {
  name: string;
  connector: string;
  /** The agent group that carries its HTTP (undefined: requests go out directly). */
  agentGroup?: string;
  createdAt: string;
  updatedAt: string;
}

/** A connection held by `withConnectionLock`. */
export interface LockedConnection {
  /** The row as stored when the lock was taken (undefined: there is none). */
  readonly record: ConnectionRecord | undefined;
  /** Stores new values: committed before the lock is released. False when there is no row. */
  write(sealed: SealedValues): Promise<boolean>;
}

/** How long `withConnectionLock` waits for the lock before it fails with `StoreError('BUSY')`. */
export const CONNECTION_LOCK_WAIT_MS = 60_000;

export interface ConnectionRepository {
  /** Fails with `StoreError('CONFLICT')` when the name is taken. */
  insertConnection(
    input: { name: string; connector: string; agentGroup?: string } & SealedValues,
  ): Promise<ConnectionRecord>;
  getConnection(name: string): Promise<ConnectionRecord | undefined>;
  /** By name. */
  listConnections(page: PageRequest): Promise<Page<ConnectionRecord>>;
  /** Rows sealed with another key than `keyId`: what a key rotation re-seals. */
  connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]>;
  /** `agentGroup`: a new group, or null to send directly; absent keeps the stored one. */
  updateConnectionValues(
    name: string,
    sealed: SealedValues,
    change?: { agentGroup?: string | null },
  ): Promise<ConnectionRecord | undefined>;
  deleteConnection(name: string): Promise<boolean>;
  /**
   * Runs `fn` holding the connection locked against every other `withConnectionLock` of it, in
   * this process and, on PostgreSQL, in every process on the database (the row `FOR UPDATE`
   * in a transaction that `fn` runs inside; other writes of the row wait for it too). What
   * `fn` writes is committed when it returns, then the lock is released; when it throws,
   * nothing is written. The embedded store has one process: an in-process lock is enough.
   */
  withConnectionLock<T>(name: string, fn: (locked: LockedConnection) => Promise<T>): Promise<T>;
}

export class KyselyConnections implements ConnectionRepository {
  /** The last `withConnectionLock` of each name in this process (a queue per name). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Kysely<Database>) {}

  async insertConnection(
    input: { name: string; connector: string; agentGroup?: string } & SealedValues,
  ): Promise<ConnectionRecord> {
    const at = now();
    const row = {
      name: input.name,
      connector: input.connector,
      values_encrypted: input.valuesEncrypted,
      key_id: input.keyId,
      nonce: input.nonce,
      agent_group: input.agentGroup ?? null,
      created_at: at,
      updated_at: at,
    };
    const taken = () => new StoreError('CONFLICT', `A connection named "${input.name}" exists already`);
    // The check answers at once; the unique key settles a race with another process.
    await insertOrConflict(
      () =>
        this.db.transaction().execute(async (trx) => {
          const found = await trx
            .selectFrom('connections')
            .select('name')
            .where('name', '=', input.name)
            .executeTakeFirst();
          if (found) throw taken();
          await trx.insertInto('connections').values(row).execute();
        }),
      taken,
    );
    return toConnection(row);
  }

  async getConnection(name: string): Promise<ConnectionRecord | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toConnection(row);
  }

  async listConnections(request: PageRequest): Promise<Page<ConnectionRecord>> {
    const rows = (take: number, after: string | undefined) => {
      let query = this.db.selectFrom('connections').selectAll().orderBy('name').limit(take);
      if (after !== undefined) query = query.where('name', '>', after);
      return query.execute();
    };
    return keysetPage(request, rows, toConnection, (c) => c.name);
  }

  async connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]> {
    const rows = await this.db
      .selectFrom('connections')
      .selectAll()
      .where('key_id', '<>', keyId)
      .orderBy('name')
      .execute();
    return rows.map(toConnection);
  }

  async updateConnectionValues(
    name: string,
    sealed: SealedValues,
    change: { agentGroup?: string | null } = {},
  ): Promise<ConnectionRecord | undefined> {
    const result = await this.db
      .updateTable('connections')
      .set({
        values_encrypted: sealed.valuesEncrypted,
        key_id: sealed.keyId,
        nonce: sealed.nonce,
        ...(change.agentGroup !== undefined ? { agent_group: change.agentGroup } : {}),
        updated_at: now(),
      })
      .where('name', '=', name)
      .executeTakeFirst();
    if (affected(result.numUpdatedRows) === 0) return undefined;
    return this.getConnection(name);
  }

  async deleteConnection(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
    return affected(result.numDeletedRows) > 0;
  }

  /**
   * In-process callers queue first, so a process keeps at most one database connection waiting
   * for a row's lock. On SQLite no transaction is held: its one connection serves every query
   * of the server, and a transaction open during `fn` (a token request) would stall them all.
   */
  withConnectionLock<T>(name: string, fn: (locked: LockedConnection) => Promise<T>): Promise<T> {
    const before = this.queues.get(name) ?? Promise.resolve();
    const turn = before.then(() => (isPostgres(this.db) ? this.lockRow(name, fn) : this.inProcess(name, fn)));
    const settled = turn.then(
      () => {},
      () => {},
    );
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return turn;
  }

  /** The write waits until `fn` returns, so that a failing `fn` writes nothing here either. */
  private async inProcess<T>(name: string, fn: (locked: LockedConnection) => Promise<T>): Promise<T> {
    const record = await this.getConnection(name);
    let written: SealedValues | undefined;
    const result = await fn({
      record,
      write: async (sealed) => {
        written = sealed;
        return record !== undefined;
      },
    });
    if (written) await this.updateConnectionValues(name, written);
    return result;
  }

  private async lockRow<T>(name: string, fn: (locked: LockedConnection) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await limitLockWait(trx, CONNECTION_LOCK_WAIT_MS);
        const row = await trx
          .selectFrom('connections')
          .selectAll()
          .where('name', '=', name)
          .forUpdate()
          .executeTakeFirst();
        return fn({
          record: row && toConnection(row),
          write: async (sealed) => {
            const result = await trx
              .updateTable('connections')
              .set({
                values_encrypted: sealed.valuesEncrypted,
                key_id: sealed.keyId,
                nonce: sealed.nonce,
                updated_at: now(),
              })
              .where('name', '=', name)
              .executeTakeFirst();
            return affected(result.numUpdatedRows) > 0;
          },
        });
      });
    } catch (error) {
      if (isLockTimeout(error)) {
        throw new StoreError(
          'BUSY',
          `The connection "${name}" stayed locked for more than ${CONNECTION_LOCK_WAIT_MS / 1000} s (another process is refreshing it)`,
        );
      }
      throw error;
    }
  }
}

function toConnection(row: Selectable<ConnectionTable>): ConnectionRecord {
  return {
    name: row.name,
    connector: row.connector,
    valuesEncrypted: row.values_encrypted,
    keyId: row.key_id,
    nonce: row.nonce,
    ...(row.agent_group ? { agentGroup: row.agent_group } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
