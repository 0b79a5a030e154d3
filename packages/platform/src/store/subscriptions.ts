/**
 * Webhook subscriptions: what a recipe's trigger registered with the remote service, sealed by
 * the vault before it reaches the store (`triggers/stored-subscriptions.ts` seals and opens).
 */
import type { Kysely, Selectable } from 'kysely';
import type { SealedValues } from './connections.js';
import { upsertSubscription } from './dialect.js';
import type { Database, WebhookSubscriptionTable } from './schema.js';
import { affected, fromJson, now } from './sql.js';

export interface WebhookSubscriptionRecord {
  recipeId: string;
  /** The subscription as the vault sealed it; absent in rows written before 0011. */
  sealed?: SealedValues;
  /** Rows written before 0011 only: the subscription as plain JSON (undefined when sealed). */
  plain?: unknown;
  /** The URL secret the subscription was registered with. */
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionRepository {
  putWebhookSubscription(input: {
    recipeId: string;
    sealed: SealedValues;
    secret: string;
  }): Promise<WebhookSubscriptionRecord>;
  getWebhookSubscription(recipeId: string): Promise<WebhookSubscriptionRecord | undefined>;
  deleteWebhookSubscription(recipeId: string): Promise<boolean>;
  /** Rows sealed with another key than `keyId`, and rows in plain JSON: what a start re-seals. */
  subscriptionsNotSealedWith(keyId: string): Promise<WebhookSubscriptionRecord[]>;
  /**
   * Replaces the subscription with `sealed` only if the row is still as `seen` was read (the same
   * nonce, or still plain), so a re-seal never overwrites a newer write. Whether it did.
   */
  resealWebhookSubscription(seen: WebhookSubscriptionRecord, sealed: SealedValues): Promise<boolean>;
}

export class KyselySubscriptions implements SubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async putWebhookSubscription(input: {
    recipeId: string;
    sealed: SealedValues;
    secret: string;
  }): Promise<WebhookSubscriptionRecord> {
    const at = now();
    const update = { ...sealedColumns(input.sealed), secret: input.secret, updated_at: at };
    await upsertSubscription(this.db, { recipe_id: input.recipeId, ...update, created_at: at }, update);
    return (await this.getWebhookSubscription(input.recipeId))!;
  }

  async getWebhookSubscription(recipeId: string): Promise<WebhookSubscriptionRecord | undefined> {
    const row = await this.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('recipe_id', '=', recipeId)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  async deleteWebhookSubscription(recipeId: string): Promise<boolean> {
    return deleteSubscriptionOf(this.db, recipeId);
  }

  async subscriptionsNotSealedWith(keyId: string): Promise<WebhookSubscriptionRecord[]> {
    const rows = await this.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where((eb) => eb.or([eb('key_id', 'is', null), eb('key_id', '!=', keyId)]))
      .orderBy('recipe_id')
      .execute();
    return rows.map(toSubscription);
  }

  async resealWebhookSubscription(seen: WebhookSubscriptionRecord, sealed: SealedValues): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_subscriptions')
      .set({ ...sealedColumns(sealed), updated_at: now() })
      .where('recipe_id', '=', seen.recipeId)
      .where((eb) => (seen.sealed ? eb('nonce', '=', seen.sealed.nonce) : eb('key_id', 'is', null)))
      .executeTakeFirst();
    return affected(result.numUpdatedRows) > 0;
  }
}

/** Deletes a recipe's subscription (also inside the transaction that deletes the recipe). */
export async function deleteSubscriptionOf(db: Kysely<Database>, recipeId: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_subscriptions').where('recipe_id', '=', recipeId).executeTakeFirst();
  return affected(result.numDeletedRows) > 0;
}

function sealedColumns(sealed: SealedValues): { data: string; key_id: string; nonce: string } {
  return { data: sealed.valuesEncrypted, key_id: sealed.keyId, nonce: sealed.nonce };
}

function toSubscription(row: Selectable<WebhookSubscriptionTable>): WebhookSubscriptionRecord {
  const base = { recipeId: row.recipe_id, secret: row.secret, createdAt: row.created_at, updatedAt: row.updated_at };
  if (row.key_id && row.nonce) {
    return { ...base, sealed: { valuesEncrypted: row.data, keyId: row.key_id, nonce: row.nonce } };
  }
  return { ...base, plain: fromJson(row.data) };
}
