/**
 * When a webhook subscription is refreshed: before it lapses (its `expires_at`), or every
 * `webhookRefreshSeconds` of its trigger.
 */
import type { TriggerDefinition } from '@weft/sdk';
import type { WebhookSubscription } from './stored-subscriptions.js';

/** Refresh when this share of the time left until `expires_at` has passed. */
export const REFRESH_AT = 0.8;
/** A failed refresh is tried again after this long (or sooner, before the expiry). */
export const REFRESH_RETRY_MS = 60_000;
/** setTimeout's largest delay; longer waits are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

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
