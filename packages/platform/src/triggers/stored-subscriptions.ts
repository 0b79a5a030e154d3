/**
 * Webhook subscriptions as the platform keeps them: sealed by the vault, bound to their recipe.
 *
 * What `webhookSubscribe` returns may hold a secret the application gives only once (a
 * per-webhook signing secret), so it is sealed like connection values: the store sees only
 * ciphertext. Rows written before sealing (plain JSON) are read as they are and sealed on the
 * next write, or on start (`reseal`), which also moves rows sealed with a previous master key
 * to the current one.
 */
import type { Store, WebhookSubscriptionRecord } from '../store/store.js';
import type { Vault } from '../vault.js';

/** A recipe's subscription, opened. */
export interface WebhookSubscription {
  recipeId: string;
  /** What `webhookSubscribe` (or the last `webhookRefresh`) returned. */
  data: unknown;
  /** The URL secret the subscription was registered with. */
  secret: string;
  createdAt: string;
  updatedAt: string;
}

type SubscriptionStore = Pick<
  Store,
  | 'getWebhookSubscription'
  | 'putWebhookSubscription'
  | 'deleteWebhookSubscription'
  | 'subscriptionsNotSealedWith'
  | 'resealWebhookSubscription'
>;

export class StoredSubscriptions {
  constructor(
    private readonly store: SubscriptionStore,
    private readonly vault: Pick<Vault, 'keyId' | 'canOpen' | 'sealSubscription' | 'openSubscription'>,
  ) {}

  /** The recipe's subscription; fails with a `VaultError` when the row does not open. */
  async get(recipeId: string): Promise<WebhookSubscription | undefined> {
    const record = await this.store.getWebhookSubscription(recipeId);
    return record && this.opened(record);
  }

  async put(input: { recipeId: string; data: unknown; secret: string }): Promise<WebhookSubscription> {
    const sealed = this.vault.sealSubscription(input.recipeId, input.data);
    const record = await this.store.putWebhookSubscription({ recipeId: input.recipeId, sealed, secret: input.secret });
    return { ...this.shape(record), data: input.data };
  }

  delete(recipeId: string): Promise<boolean> {
    return this.store.deleteWebhookSubscription(recipeId);
  }

  /**
   * On start: seals rows still in plain JSON and re-seals rows sealed with a previous master
   * key. Returns the recipe ids of rows no known key opens (they stay as they are).
   */
  async reseal(): Promise<{ resealed: string[]; locked: string[] }> {
    const resealed: string[] = [];
    const locked: string[] = [];
    for (const record of await this.store.subscriptionsNotSealedWith(this.vault.keyId)) {
      let data: unknown;
      try {
        data = this.opened(record).data;
      } catch {
        locked.push(record.recipeId);
        continue;
      }
      // Written meanwhile (a refresh on another process): that write is sealed already.
      if (await this.store.resealWebhookSubscription(record, this.vault.sealSubscription(record.recipeId, data))) {
        resealed.push(record.recipeId);
      }
    }
    return { resealed, locked };
  }

  private opened(record: WebhookSubscriptionRecord): WebhookSubscription {
    const data = record.sealed ? this.vault.openSubscription(record.recipeId, record.sealed) : record.plain;
    return { ...this.shape(record), data };
  }

  private shape(record: WebhookSubscriptionRecord): Omit<WebhookSubscription, 'data'> {
    const { recipeId, secret, createdAt, updatedAt } = record;
    return { recipeId, secret, createdAt, updatedAt };
  }
}

/** The start-up re-seal, told as warnings like the connections' key rotation. */
export async function resealSubscriptions(
  store: SubscriptionStore,
  vault: Pick<Vault, 'keyId' | 'canOpen' | 'sealSubscription' | 'openSubscription' | 'source'>,
  warn: (message: string) => void,
): Promise<void> {
  const { resealed, locked } = await new StoredSubscriptions(store, vault).reseal();
  if (resealed.length) warn(`sealed ${resealed.length} webhook subscription(s) with master key ${vault.keyId}`);
  if (locked.length) {
    warn(
      `${locked.length} webhook subscription(s) (of recipes ${locked.join(', ')}) cannot be opened with master key ` +
        `${vault.keyId} (from ${vault.source}) or a previous key: those recipes cannot start until Weft runs with the ` +
        'key they were sealed with (or they are stopped, which forgets the subscription).',
    );
  }
}
