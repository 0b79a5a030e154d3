/**
 * Connections: their values sealed by the vault before they reach the store.
 */
import type { Kysely, Selectable } from 'kysely';
import { type Page, type PageRequest, StoreError } from './common.js';
import type { ConnectionTable, Database } from './schema.js';
import { affected, keysetPage, now } from './sql.js';

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
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionRepository {
  /** Fails with `StoreError('CONFLICT')` when the name is taken. */
  insertConnection(input: { name: string; connector: string } & SealedValues): Promise<ConnectionRecord>;
  getConnection(name: string): Promise<ConnectionRecord | undefined>;
  /** By name. */
  listConnections(page: PageRequest): Promise<Page<ConnectionRecord>>;
  /** Rows sealed with another key than `keyId`: what a key rotation re-seals. */
  connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]>;
  updateConnectionValues(name: string, sealed: SealedValues): Promise<ConnectionRecord | undefined>;
  deleteConnection(name: string): Promise<boolean>;
}

export class KyselyConnections implements ConnectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertConnection(input: { name: string; connector: string } & SealedValues): Promise<ConnectionRecord> {
    const at = now();
    const row = {
      name: input.name,
      connector: input.connector,
      values_encrypted: input.valuesEncrypted,
      key_id: input.keyId,
      nonce: input.nonce,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('connections')
        .select('name')
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (taken) throw new StoreError('CONFLICT', `A connection named "${input.name}" exists already`);
      await trx.insertInto('connections').values(row).execute();
    });
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

  async updateConnectionValues(name: string, sealed: SealedValues): Promise<ConnectionRecord | undefined> {
    const result = await this.db
      .updateTable('connections')
      .set({ values_encrypted: sealed.valuesEncrypted, key_id: sealed.keyId, nonce: sealed.nonce, updated_at: now() })
      .where('name', '=', name)
      .executeTakeFirst();
    if (affected(result.numUpdatedRows) === 0) return undefined;
    return this.getConnection(name);
  }

  async deleteConnection(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
    return affected(result.numDeletedRows) > 0;
  }
}

function toConnection(row: Selectable<ConnectionTable>): ConnectionRecord {
  return {
    name: row.name,
    connector: row.connector,
    valuesEncrypted: row.values_encrypted,
    keyId: row.key_id,
    nonce: row.nonce,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
