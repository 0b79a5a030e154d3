/**
 * The `webhooks` part of the runtime: follows recipes whose trigger receives webhooks.
 *
 * - start: the recipe joins the ingress (as `starting`), its static key is computed once
 *   (`webhookKey`), and a dynamic trigger registers the recipe's URL (`webhookSubscribe`) unless
 *   the store already holds a subscription registered with the same URL secret, so a restart
 *   or a crash between subscribing and marking the recipe running never subscribes twice. Any
 *   failure leaves the recipe stopped with a 409 naming the connector's message.
 *   The subscription is stored sealed by the vault (`stored-subscriptions.ts`).
 * - stop: the recipe leaves the ingress, then `webhookUnsubscribe` runs with the stored
 *   subscription, which is deleted even when unsubscribing fails or the stored row does not open
 *   (logged as a warning).
 * - refresh: `webhookRefresh` runs before the subscription lapses: at 80% of the time left
 *   until its `expires_at` (from the subscription data), or every `webhookRefreshSeconds`.
 * - resume (server start): the same as start; a stored subscription is kept as it is.
 * - follow / unfollow (another process of the cluster started or stopped the recipe): the
 *   recipe joins or leaves this ingress with the stored subscription; nothing is subscribed or
 *   unsubscribed here.
 * - Refreshes run on the leader only (`leadership`); a refreshed subscription is announced
 *   (`onRefreshed`) so the other processes read it again (`reload`).
 */
import { isWeftError, messageOf } from '@weft/sdk';
import type { RefreshGate } from '@weft/sdk/operations';
import { webhookKeyOfRecipe } from '@weft/sdk/runtime';
import { ALWAYS_LEADING, type Leadership } from '../cluster/leadership.js';
import type { Connections, LiveConnection } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { ConflictError } from '../errors.js';
import type { Log } from '../log.js';
import type { RecipeLifecycle } from '../runtime/runtime.js';
import type { RecipeRecord } from '../store/store.js';
import { MAX_TIMER_MS, REFRESH_RETRY_MS, refreshTime, subscriptionExpiry } from './refresh-time.js';
import type { StoredSubscriptions, WebhookSubscription } from './stored-subscriptions.js';
import {
  describeWebhookRecipe,
  isStaticTrigger,
  type RecipeDescriptionDeps,
  type WebhookRecipe,
  type WebhookRecipes,
} from './webhook-recipes.js';

export { REFRESH_AT, REFRESH_RETRY_MS, refreshTime, subscriptionExpiry } from './refresh-time.js';

interface Tracked {
  recipe: WebhookRecipe;
  /** The stored subscription the next refresh is timed from. */
  stored?: Pick<WebhookSubscription, 'data' | 'updatedAt'>;
  timer?: NodeJS.Timeout;
  refreshing?: Promise<void>;
  stopped: boolean;
}

interface LiveValues {
  values: Record<string, unknown>;
  refreshGate?: RefreshGate;
  dispatcher?: LiveConnection['dispatcher'];
}

/** What the `webhooks` part runs with; `recipes` is the table the ingress reads. */
export interface SubscriptionDeps extends RecipeDescriptionDeps {
  /** The stored subscriptions, sealed by the vault. */
  subscriptions: Pick<StoredSubscriptions, 'get' | 'put' | 'delete'>;
  connections: Pick<Connections, 'live'>;
  recipes: WebhookRecipes;
  log: Log;
  /** Refreshes run only while this process leads (default: always). */
  leadership?: Leadership;
  /** Told when a refreshed subscription was stored (to tell the other processes). */
  onRefreshed?: (recipeId: string) => void;
}

type How = 'start' | 'resume' | 'follow';

export interface WebhookLifecycleOptions {
  /** Delay before retrying a failed refresh (default one minute). */
  refreshRetryMs?: number;
}

export class WebhookSubscriptions implements RecipeLifecycle {
  readonly name = 'webhooks';
  private readonly recipes: WebhookRecipes;
  private readonly tracked = new Map<string, Tracked>();
  private readonly retryMs: number;
  private readonly leadership: Leadership;

  constructor(
    private readonly context: SubscriptionDeps,
    options: WebhookLifecycleOptions = {},
  ) {
    this.recipes = context.recipes;
    this.retryMs = options.refreshRetryMs ?? REFRESH_RETRY_MS;
    this.leadership = context.leadership ?? ALWAYS_LEADING;
    this.leadership.onChange((leading) => {
      for (const tracked of this.tracked.values()) {
        if (leading && tracked.stored) this.arm(tracked, tracked.stored);
        else if (!leading) clearTimeout(tracked.timer);
      }
    });
  }

  async start(record: RecipeRecord): Promise<void> {
    await this.begin(record, 'start');
  }

  async resume(record: RecipeRecord): Promise<void> {
    await this.begin(record, 'resume');
  }

  async follow(record: RecipeRecord): Promise<void> {
    await this.begin(record, 'follow');
  }

  async unfollow(record: RecipeRecord): Promise<void> {
    await this.untrack(record.id);
  }

  /** Reads the stored subscription of a followed recipe again (another process refreshed it). */
  async reload(recipeId: string): Promise<void> {
    const tracked = this.tracked.get(recipeId);
    if (!tracked) return;
    const stored = await this.context.subscriptions.get(recipeId);
    if (!stored || tracked.stopped) return;
    tracked.recipe.subscription = stored.data;
    tracked.stored = stored;
    this.arm(tracked, stored);
  }

  /** The recipe leaves the ingress and its refreshes end (nothing is unsubscribed). */
  private async untrack(id: string): Promise<WebhookRecipe | undefined> {
    const recipe = this.recipes.remove(id);
    const tracked = this.tracked.get(id);
    this.tracked.delete(id);
    if (tracked) {
      tracked.stopped = true;
      clearTimeout(tracked.timer);
      await tracked.refreshing?.catch(() => {});
    }
    return recipe;
  }

  async stop(record: RecipeRecord): Promise<void> {
    const recipe = await this.untrack(record.id);
    const described = recipe ?? (await describeWebhookRecipe(this.context, record).catch(() => undefined));
    if (!described || typeof described.trigger.webhookSubscribe !== 'function') return;
    let stored: WebhookSubscription | undefined;
    try {
      stored = await this.context.subscriptions.get(record.id);
    } catch (error) {
      // Sealed with an unknown key, or damaged: forgotten all the same, so the recipe can start again.
      this.context.log(
        'warn',
        `The webhook subscription of recipe "${described.name}" cannot be opened, so it was not unsubscribed from "${described.connector}" and may still deliver (to a URL that now answers 404); it was forgotten`,
        { recipeId: record.id, error: messageOf(error), ...(isWeftError(error) ? { code: error.code } : {}) },
      );
      await this.context.subscriptions.delete(record.id);
      return;
    }
    if (!stored) return;
    await this.unsubscribe(described, stored.data);
    await this.context.subscriptions.delete(record.id);
  }

  async close(): Promise<void> {
    for (const tracked of this.tracked.values()) {
      tracked.stopped = true;
      clearTimeout(tracked.timer);
    }
    await Promise.all([...this.tracked.values()].map((t) => t.refreshing?.catch(() => {})));
    this.tracked.clear();
    this.recipes.clear();
  }

  private async begin(record: RecipeRecord, how: How): Promise<void> {
    const described = await describeWebhookRecipe(this.context, record);
    if (!described) return;
    const recipe = this.recipes.add(described);
    const tracked: Tracked = { recipe, stopped: false };
    this.tracked.set(record.id, tracked);
    try {
      const live = await this.connectionOf(recipe);
      const { definition, trigger } = recipe;
      if (isStaticTrigger(definition, trigger)) {
        try {
          recipe.key = await webhookKeyOfRecipe(definition, recipe.triggerName, {
            connection: live.values,
            input: recipe.input,
            mode: 'interactive',
            refreshGate: live.refreshGate,
            dispatcher: live.dispatcher,
            runner: runOperation,
          });
        } catch (error) {
          throw new ConflictError(
            'WEBHOOK_KEY_FAILED',
            `The recipe "${recipe.name}" cannot start: triggers.${recipe.triggerName}.webhookKey of "${recipe.connector}" failed: ${messageOf(error)}`,
          );
        }
      }
      if (typeof trigger.webhookSubscribe === 'function') {
        const stored =
          how === 'follow'
            ? await this.context.subscriptions.get(record.id)
            : await this.subscription(recipe, record, live, how);
        if (stored) {
          recipe.subscription = stored.data;
          this.arm(tracked, stored);
        }
      }
      this.recipes.running(recipe.id);
    } catch (error) {
      tracked.stopped = true;
      clearTimeout(tracked.timer);
      if (this.tracked.get(record.id) === tracked) this.tracked.delete(record.id);
      if (this.recipes.get(record.id) === recipe) this.recipes.remove(record.id);
      throw error;
    }
  }

  private async connectionOf(recipe: Pick<WebhookRecipe, 'connection'>): Promise<LiveValues> {
    if (!recipe.connection) return { values: {} };
    const live = await this.context.connections.live(recipe.connection);
    return { values: live.values, refreshGate: live.refreshGate, dispatcher: live.dispatcher };
  }

  /** The stored subscription when it was registered with this URL secret, else a new one. */
  private async subscription(
    recipe: WebhookRecipe,
    record: RecipeRecord,
    live: LiveValues,
    how: 'start' | 'resume',
  ): Promise<WebhookSubscription> {
    const { subscriptions } = this.context;
    const stored = await subscriptions.get(record.id);
    if (stored && stored.secret === record.webhookSecret) return stored;
    if (stored) {
      // Registered with another URL: remove it (best effort) rather than leave it delivering.
      await this.unsubscribe(recipe, stored.data);
    }
    if (how === 'resume') {
      this.context.log('warn', `Recipe "${recipe.name}" was running without a webhook subscription: subscribing now`, {
        recipeId: recipe.id,
      });
    }
    let data: unknown;
    try {
      const { triggerName: trigger, input, webhookUrl } = recipe;
      const result = await runOperation(
        recipe.definition,
        { kind: 'webhook_subscribe', trigger, input, webhookUrl },
        {
          connection: live.values,
          mode: 'interactive',
          refreshGate: live.refreshGate,
          dispatcher: live.dispatcher,
        },
      );
      data = result.kind === 'output' ? result.output : null;
    } catch (error) {
      throw new ConflictError(
        'WEBHOOK_SUBSCRIBE_FAILED',
        `The recipe "${recipe.name}" cannot start: subscribing its webhook with "${recipe.connector}" failed: ${messageOf(error)}`,
      );
    }
    try {
      return await subscriptions.put({ recipeId: record.id, data, secret: record.webhookSecret });
    } catch (error) {
      // Not kept, so not registered either.
      await this.unsubscribe(recipe, data);
      throw error;
    }
  }

  /** Runs `webhookUnsubscribe`; a failure is logged (the registration may linger at the application). */
  private async unsubscribe(
    recipe: Pick<
      WebhookRecipe,
      'id' | 'name' | 'connector' | 'triggerName' | 'definition' | 'trigger' | 'connection' | 'input' | 'webhookUrl'
    >,
    subscription: unknown,
  ): Promise<void> {
    if (typeof recipe.trigger.webhookUnsubscribe !== 'function') return;
    try {
      const live = await this.connectionOf(recipe);
      const { triggerName: trigger, input, webhookUrl } = recipe;
      await runOperation(
        recipe.definition,
        { kind: 'webhook_unsubscribe', trigger, input, webhookUrl, subscription },
        {
          connection: live.values,
          mode: 'interactive',
          refreshGate: live.refreshGate,
          dispatcher: live.dispatcher,
        },
      );
    } catch (error) {
      this.context.log(
        'warn',
        `Unsubscribing the webhook of recipe "${recipe.name}" from "${recipe.connector}" failed; the subscription was forgotten anyway and may still deliver (to a URL that now answers 404)`,
        { recipeId: recipe.id, error: messageOf(error), ...(isWeftError(error) ? { code: error.code } : {}) },
      );
    }
  }

  /** Schedules the next `webhookRefresh` of a tracked recipe, if its trigger has one. */
  private arm(tracked: Tracked, stored: Pick<WebhookSubscription, 'data' | 'updatedAt'>): void {
    const { trigger } = tracked.recipe;
    tracked.stored = stored;
    if (tracked.stopped || typeof trigger.webhookRefresh !== 'function' || !this.leadership.leading) return;
    const at = refreshTime(trigger, stored, Date.now());
    if (at !== undefined) this.schedule(tracked, at);
  }

  private schedule(tracked: Tracked, at: number): void {
    clearTimeout(tracked.timer);
    const delay = Math.max(0, at - Date.now());
    tracked.timer = setTimeout(
      () => {
        if (tracked.stopped || !this.leadership.leading) return;
        if (Date.now() < at) return this.schedule(tracked, at);
        tracked.refreshing = this.refresh(tracked)
          .catch((error) => {
            // The store failed to keep the renewed subscription: try again later.
            this.context.log(
              'error',
              `Storing the refreshed webhook subscription of recipe "${tracked.recipe.name}" failed`,
              {
                recipeId: tracked.recipe.id,
                error: messageOf(error),
              },
            );
            if (!tracked.stopped) this.schedule(tracked, Date.now() + this.retryMs);
          })
          .finally(() => {
            tracked.refreshing = undefined;
          });
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    tracked.timer.unref();
  }

  private async refresh(tracked: Tracked): Promise<void> {
    const { recipe } = tracked;
    let data: unknown;
    try {
      const live = await this.connectionOf(recipe);
      const { triggerName: trigger, input, webhookUrl, subscription } = recipe;
      const result = await runOperation(
        recipe.definition,
        { kind: 'webhook_refresh', trigger, input, webhookUrl, subscription },
        {
          connection: live.values,
          mode: 'job',
          refreshGate: live.refreshGate,
          dispatcher: live.dispatcher,
        },
      );
      data = result.kind === 'output' ? result.output : null;
    } catch (error) {
      if (tracked.stopped) return;
      const expiry = subscriptionExpiry(recipe.subscription);
      this.context.log('warn', `Refreshing the webhook subscription of recipe "${recipe.name}" failed; trying again`, {
        recipeId: recipe.id,
        error: messageOf(error),
        ...(expiry !== undefined ? { expiresAt: new Date(expiry).toISOString() } : {}),
      });
      // Sooner than the usual retry when the expiry is near, so a second attempt still fits.
      const left = expiry === undefined ? Number.POSITIVE_INFINITY : expiry - Date.now();
      const wait = left > 0 ? Math.min(this.retryMs, Math.max(1000, left / 2)) : this.retryMs;
      this.schedule(tracked, Date.now() + wait);
      return;
    }
    if (tracked.stopped) return;
    // Nothing returned: the registration was renewed as it is.
    const next = data === null || data === undefined ? recipe.subscription : data;
    const stored = await this.context.subscriptions.put({
      recipeId: recipe.id,
      data: next,
      secret: recipe.secret.toString(),
    });
    recipe.subscription = stored.data;
    this.context.onRefreshed?.(recipe.id);
    const expiry = subscriptionExpiry(stored.data);
    if (expiry !== undefined && expiry <= Date.now()) {
      this.context.log('warn', `webhookRefresh of recipe "${recipe.name}" returned an expiry in the past`, {
        recipeId: recipe.id,
        expiresAt: new Date(expiry).toISOString(),
      });
      this.schedule(tracked, Date.now() + this.retryMs);
      return;
    }
    this.arm(tracked, stored);
  }
}

export function webhookLifecycle(context: SubscriptionDeps, options?: WebhookLifecycleOptions): WebhookSubscriptions {
  return new WebhookSubscriptions(context, options);
}
