/**
 * The store contract, continued: trigger state (closures, seen signatures, poll errors) and
 * webhook subscriptions. Run from `runStoreContract`.
 */
import { describe, expect, test } from 'vitest';
import type { NewRecipe, Store } from './store.js';

export function runTriggerStateContract(getStore: () => Store, recipe: (name?: string) => NewRecipe): void {
  describe('trigger state', () => {
    test('reset forgets the closure and the seen signatures', async () => {
      const r = await getStore().insertRecipe(recipe());
      await getStore().commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'], closure: 'c' });
      await getStore().resetTriggerState(r.id);
      expect(await getStore().getTriggerState(r.id)).toBeUndefined();
      expect(
        (await getStore().commitPoll({ recipeId: r.id, events: [{ id: 1 }], signatures: ['1'] })).jobs,
      ).toHaveLength(1);
    });

    test('webhook subscriptions: put (idempotent per recipe), get, delete', async () => {
      const r = await getStore().insertRecipe(recipe());
      const first = await getStore().putWebhookSubscription({ recipeId: r.id, data: { id: 'h1' }, secret: 's1' });
      expect(first).toMatchObject({ recipeId: r.id, data: { id: 'h1' }, secret: 's1' });
      await getStore().putWebhookSubscription({ recipeId: r.id, data: { id: 'h2' }, secret: 's1' });
      expect((await getStore().getWebhookSubscription(r.id))?.data).toEqual({ id: 'h2' });
      expect(await getStore().deleteWebhookSubscription(r.id)).toBe(true);
      expect(await getStore().deleteWebhookSubscription(r.id)).toBe(false);
      expect(await getStore().getWebhookSubscription(r.id)).toBeUndefined();
    });

    test('a poll error is kept with the closure until a poll commits', async () => {
      const r = await getStore().insertRecipe(recipe());
      const error = { code: 'HTTP_ERROR', message: 'GET /orders failed with HTTP 500', at: '2026-01-01T00:00:00.000Z' };
      await getStore().recordPollError(r.id, error);
      expect(await getStore().getTriggerState(r.id)).toMatchObject({ closure: undefined, lastPollError: error });
      await getStore().commitPoll({ recipeId: r.id, events: [], closure: 'c1' });
      await getStore().recordPollError(r.id, { ...error, message: 'again' });
      expect(await getStore().getTriggerState(r.id)).toMatchObject({
        closure: 'c1',
        emptyPolls: 1,
        lastPollError: { message: 'again' },
      });
      await getStore().commitPoll({ recipeId: r.id, events: [] });
      expect(await getStore().getTriggerState(r.id)).toMatchObject({ closure: 'c1', lastPollError: null });
    });
  });
}
