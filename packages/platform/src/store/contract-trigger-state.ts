/**
 * The store contract, continued: trigger state (closures, seen signatures, poll errors) and
 * webhook subscriptions. Run from `runStoreContract`.
 */
import { describe, expect, test } from 'vitest';
import type { NewRecipe, Store } from './store.js';

/** A sealed value as the vault shapes it (the store never opens one). */
function sealed(keyId: string, nonce: string) {
  return { valuesEncrypted: `ciphertext-${nonce}`, keyId, nonce };
}

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
      const first = await getStore().putWebhookSubscription({
        recipeId: r.id,
        sealed: sealed('k1', 'n1'),
        secret: 's1',
      });
      expect(first).toMatchObject({ recipeId: r.id, sealed: sealed('k1', 'n1'), secret: 's1' });
      expect(first.plain).toBeUndefined();
      await getStore().putWebhookSubscription({ recipeId: r.id, sealed: sealed('k1', 'n2'), secret: 's1' });
      expect((await getStore().getWebhookSubscription(r.id))?.sealed).toEqual(sealed('k1', 'n2'));
      expect(await getStore().deleteWebhookSubscription(r.id)).toBe(true);
      expect(await getStore().deleteWebhookSubscription(r.id)).toBe(false);
      expect(await getStore().getWebhookSubscription(r.id)).toBeUndefined();
    });

    test('webhook subscriptions sealed with another key are found, and re-sealed only if unchanged', async () => {
      const a = await getStore().insertRecipe(recipe());
      const b = await getStore().insertRecipe(recipe());
      await getStore().putWebhookSubscription({ recipeId: a.id, sealed: sealed('old', 'n1'), secret: 's' });
      await getStore().putWebhookSubscription({ recipeId: b.id, sealed: sealed('new', 'n2'), secret: 's' });
      const found = await getStore().subscriptionsNotSealedWith('new');
      expect(found.map((s) => s.recipeId)).toEqual([a.id]);
      const seen = found[0];
      // Written meanwhile: the re-seal of what was read does not overwrite it.
      await getStore().putWebhookSubscription({ recipeId: a.id, sealed: sealed('new', 'n3'), secret: 's' });
      expect(await getStore().resealWebhookSubscription(seen, sealed('new', 'n4'))).toBe(false);
      expect((await getStore().getWebhookSubscription(a.id))?.sealed).toEqual(sealed('new', 'n3'));
      const current = (await getStore().getWebhookSubscription(a.id))!;
      expect(await getStore().resealWebhookSubscription(current, sealed('newer', 'n5'))).toBe(true);
      expect(await getStore().getWebhookSubscription(a.id)).toMatchObject({
        sealed: sealed('newer', 'n5'),
        secret: 's',
      });
      await getStore().deleteRecipe(a.id);
      await getStore().deleteRecipe(b.id);
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
