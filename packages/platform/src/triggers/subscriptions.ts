/**
 * The `webhooks` part of the runtime: follows recipes whose trigger receives webhooks.
 *
 * - start: the recipe joins the ingress (as `starting`), its static key is computed once
 *   (`webhookKey`), and a dynamic trigger registers the recipe's URL (`webhookSubscribe`) unless
 *   the store already holds a subscription registered with the same URL secret, so a restart
 *   or a crash between subscribing and marking the recipe running never subscribes twice. Any
 *   failure leaves the recipe stopped with a 409 naming the connector's message.
 * - stop: the recipe leaves the ingress, then `webhookUnsubscribe` runs with the stored
 *   subscription, which is deleted even when unsubscribing fails (logged as a warning).
 * - refresh: `webhookRefresh` runs before the subscription lapses: at 80% of the time left
 *   until its `expires_at` (from the subscription data), or every `webhookRefreshSeconds`.
 * - resume (server start): the same as start; a stored subscription is kept as it is.
 */

import { isWeftError, messageOf, type TriggerDefinition } from '@weft/sdk';
import type { RefreshGate } from '@weft/sdk/operations';
import { webhookKeyOfRecipe } from '@weft/sdk/runtime';
import type { Connections } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { ConflictError } from '../errors.js';
import type { Log } from '../log.js';
import type { RecipeLifecycle } from '../runtime/runtime.js';
import type { RecipeRecord, Store, WebhookSubscription } from '../store/store.js';
import {
  describeWebhookRecipe,
  isStaticTrigger,
  type RecipeDescriptionDeps,
  type WebhookRecipe,
  type WebhookRecipes,
} from './webhook-recipes.js';

/** Refresh when this share of the time left until `expires_at` has passed. */
export const REFRESH_AT = 0.8;
/** A failed refresh is tried again after this long (or sooner, before the expiry). */
export const REFRESH_RETRY_MS = 60_000;
/** setTimeout's largest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When a subscription lapses: `expires_at` (or `expiresAt`) of its data, ISO time or Unix seconds. */
export function subscriptionExpiry(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const raw = (data as Record<string, unknown>).expires_at ?? (data as Record<string, unknown>).expiresAt;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw < 1e12 ? raw * 1000 : raw;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const at = Date.parse(raw);
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}

/**
 * When to refresh a subscription stored (or last refreshed) at `storedAt`: the earlier of 80%
 * of the time left until its expiry and `webhookRefreshSeconds` after `storedAt`. Undefined
 * when neither applies.
 */
export function refreshTime(
  trigger: Pick<TriggerDefinition, 'webhookRefreshSeconds'>,
  subscription: Pick<WebhookSubscription, 'data' | 'updatedAt'>,
  now: number,
): number | undefined {
  const times: number[] = [];
  const expiry = subscriptionExpiry(subscription.data);
  if (expiry !== undefined) times.push(now + Math.max(0, expiry - now) * REFRESH_AT);
  const every = trigger.webhookRefreshSeconds;
  if (typeof every === 'number' && every > 0) {
    const last = Date.parse(subscription.updatedAt);
    times.push((Number.isNaN(last) ? now : last) + every * 1000);
  }
  return times.length ? Math.min(...times) : undefined;
}

interface Tracked {
  recipe: WebhookRecipe;
  timer?: NodeJS.Timeout;
  refreshing?: Promise<void>;
  stopped: boolean;
}

interface LiveValues {
  values: Record<string, unknown>;
  refreshGate?: RefreshGate;
}

/** What the `webhooks` part runs with; `recipes` is the table the ingress reads. */
export interface SubscriptionDeps extends RecipeDescriptionDeps {
  store: Pick<Store, 'getWebhookSubscription' | 'deleteWebhookSubscription' | 'putWebhookSubscription'>;
  connections: Pick<Connections, 'live'>;
  recipes: WebhookRecipes;
  log: Log;
}

export interface WebhookLifecycleOptions {
  /** Delay before retrying a failed refresh (default one minute). */
  refreshRetryMs?: number;
}

export class WebhookSubscriptions implements RecipeLifecycle {
  readonly name = 'webhooks';
  private readonly recipes: WebhookRecipes;
  private readonly tracked = new Map<string, Tracked>();
  private readonly retryMs: number;

  constructor(
    private readonly context: SubscriptionDeps,
    options: WebhookLifecycleOptions = {},
  ) {
    this.recipes = context.recipes;
    this.retryMs = options.refreshRetryMs ?? REFRESH_RETRY_MS;
  }

  async start(record: RecipeRecord): Promise<void> {
    await this.begin(record, 'start');
  }

  async resume(record: RecipeRecord): Promise<void> {
    await this.begin(record, 'resume');
  }

  async stop(record: RecipeRecord): Promise<void> {
    const recipe = this.recipes.remove(record.id);
    const tracked = this.tracked.get(record.id);
    this.tracked.delete(record.id);
    if (tracked) {
      tracked.stopped = true;
      clearTimeout(tracked.timer);
      await tracked.refreshing?.catch(() => {});
    }
    const described = recipe ?? (await describeWebhookRecipe(this.context, record).catch(() => undefined));
    if (!described || typeof described.trigger.webhookSubscribe !== 'function') return;
    const stored = await this.context.store.getWebhookSubscription(record.id);
    if (!stored) return;
    await this.unsubscribe(described, stored.data);
    await this.context.store.deleteWebhookSubscription(record.id);
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

  private async begin(record: RecipeRecord, how: 'start' | 'resume'): Promise<void> {
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
        const stored = await this.subscription(recipe, record, live, how);
        recipe.subscription = stored.data;
        this.arm(tracked, stored);
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
    return { values: live.values, refreshGate: live.refreshGate };
  }

  /** The stored subscription when it was registered with this URL secret, else a new one. */
  private async subscription(
    recipe: WebhookRecipe,
    record: RecipeRecord,
    live: LiveValues,
    how: 'start' | 'resume',
  ): Promise<WebhookSubscription> {
    const { store } = this.context;
    const stored = await store.getWebhookSubscription(record.id);
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
      return await store.putWebhookSubscription({ recipeId: record.id, data, secret: record.webhookSecret });
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
    if (tracked.stopped || typeof trigger.webhookRefresh !== 'function') return;
    const at = refreshTime(trigger, stored, Date.now());
    if (at !== undefined) this.schedule(tracked, at);
  }

  private schedule(tracked: Tracked, at: number): void {
    clearTimeout(tracked.timer);
    const delay = Math.max(0, at - Date.now());
    tracked.timer = setTimeout(
      () => {
        if (tracked.stopped) return;
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
    const stored = await this.context.store.putWebhookSubscription({
      recipeId: recipe.id,
      data: next,
      secret: recipe.secret.toString(),
    });
    recipe.subscription = stored.data;
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
