/**
 * Webhook subscriptions: what a recipe's trigger registered with the remote service.
 */
import type { Kysely, Selectable } from 'kysely';
import { upsertSubscription } from './dialect.js';
import type { Database, WebhookSubscriptionTable } from './schema.js';
import { affected, fromJson, now, toJson } from './sql.js';

export interface WebhookSubscription {
  recipeId: string;
  data: unknown;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionRepository {
  putWebhookSubscription(input: { recipeId: string; data: unknown; secret: string }): Promise<WebhookSubscription>;
  getWebhookSubscription(recipeId: string): Promise<WebhookSubscription | undefined>;
  deleteWebhookSubscription(recipeId: string): Promise<boolean>;
}

export class KyselySubscriptions implements SubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async putWebhookSubscription(input: {
    recipeId: string;
    data: unknown;
    secret: string;
  }): Promise<WebhookSubscription> {
    const at = now();
    const data = toJson(input.data);
    await upsertSubscription(
      this.db,
      { recipe_id: input.recipeId, data, secret: input.secret, created_at: at, updated_at: at },
      { data, secret: input.secret, updated_at: at },
    );
    return (await this.getWebhookSubscription(input.recipeId))!;
  }

  async getWebhookSubscription(recipeId: string): Promise<WebhookSubscription | undefined> {
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
}

/** Deletes a recipe's subscription (also inside the transaction that deletes the recipe). */
export async function deleteSubscriptionOf(db: Kysely<Database>, recipeId: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_subscriptions').where('recipe_id', '=', recipeId).executeTakeFirst();
  return affected(result.numDeletedRows) > 0;
}

function toSubscription(row: Selectable<WebhookSubscriptionTable>): WebhookSubscription {
  return {
    recipeId: row.recipe_id,
    data: fromJson(row.data),
    secret: row.secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
