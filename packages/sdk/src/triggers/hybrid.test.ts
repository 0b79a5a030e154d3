/**
 * Hybrid triggers (SPEC §6): a trigger with a webhook and `poll` gets both, and one `dedup`
 * over one seen-signature store keeps an event from counting twice.
 */
import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { acceptWebhookEvents } from './dedup.js';
import { runPoll } from './poll.js';
import { MemorySeenStore } from './seen.js';
import { runWebhookNotification } from './webhooks.js';

const orders = [
  { id: 'o1', updated_at: '2026-03-01T10:00:00Z' },
  { id: 'o2', updated_at: '2026-03-01T11:00:00Z' },
];

const connector = defineConnector({
  title: 'Shop',
  triggers: {
    order_updated: {
      webhookNotification: (ctx) => ctx.payload.order,
      poll: () => ({ events: orders, canPollMore: false }),
      dedup: (o: { id: string; updated_at: string }) => `${o.id}@${o.updated_at}`,
    },
  },
});

describe('hybrid triggers', () => {
  test('an event that arrives by webhook and then by poll yields one event', async () => {
    const store = new MemorySeenStore();
    /** The order delivered by webhook to recipe-9. */
    const delivered = (order: (typeof orders)[number]) =>
      runWebhookNotification({
        connector,
        trigger: 'order_updated',
        request: { payload: { order } },
        store,
        recipeKey: 'recipe-9',
      });
    const hook = await delivered(orders[0]);
    expect(hook.events).toEqual([orders[0]]);
    const poll = await runPoll({ connector, trigger: 'order_updated', store, recipeKey: 'recipe-9' });
    expect(poll.events).toEqual([orders[1]]);
    expect(poll.duplicates).toBe(1);
    // And the other way round: the webhook arriving late for an event the poll saw.
    const late = await delivered(orders[1]);
    expect(late.events).toEqual([]);
  });

  test('acceptWebhookEvents works on events the caller already has', async () => {
    const store = new MemorySeenStore();
    const trigger = connector.triggers!.order_updated;
    expect((await acceptWebhookEvents(store, trigger, [orders[0]])).events).toEqual([orders[0]]);
    expect((await runPoll({ connector, trigger: 'order_updated', store })).events).toEqual([orders[1]]);
    expect((await acceptWebhookEvents(store, trigger, orders)).events).toEqual([]);
  });
});
