/**
 * The store contract, continued: on-premises agents (0006). Run from `runStoreContract`.
 */
import { describe, expect, test } from 'vitest';
import type { Store } from './store.js';

export function runAgentContract(getStore: () => Store): void {
  describe('agents', () => {
    test('insert, find by key hash, list by name, rotate, delete; a taken name is a conflict', async () => {
      const store = getStore();
      const b = await store.insertAgent({ name: 'b', group: 'plant', keyHash: 'h-b' });
      await store.insertAgent({ name: 'a', group: 'plant', keyHash: 'h-a' });
      expect(b).toMatchObject({ name: 'b', group: 'plant', requestsServed: 0, lastSeen: null, connectedAt: null });
      await expect(store.insertAgent({ name: 'b', group: 'x', keyHash: 'h-other' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await store.agentByKeyHash('h-a'))?.name).toBe('a');
      expect(await store.agentByKeyHash('nope')).toBeUndefined();
      expect((await store.listAgents()).map((a) => a.name)).toEqual(['a', 'b']);
      expect((await store.setAgentKey('a', 'h-a2'))?.keyHash).toBe('h-a2');
      expect(await store.agentByKeyHash('h-a')).toBeUndefined();
      expect(await store.setAgentKey('zz', 'h')).toBeUndefined();
      expect(await store.deleteAgent('a')).toBe(true);
      expect(await store.deleteAgent('a')).toBe(false);
      expect(await store.getAgent('a')).toBeUndefined();
    });

    test('what a session reports: counts add up, fields given are written, others kept', async () => {
      const store = getStore();
      await store.insertAgent({ name: 'a', group: 'g', keyHash: 'h' });
      const at = '2026-01-01T00:00:00.000Z';
      await store.recordAgentSeen('a', { lastSeen: at, version: '1.2.0', connectedAt: at, served: 3 });
      await store.recordAgentSeen('a', { lastSeen: at, served: 4, lastError: 'boom' });
      expect(await store.getAgent('a')).toMatchObject({
        version: '1.2.0',
        connectedAt: at,
        lastSeen: at,
        requestsServed: 7,
        lastError: 'boom',
      });
      await store.recordAgentSeen('a', { lastSeen: at, connectedAt: null });
      expect((await store.getAgent('a'))?.connectedAt).toBeNull();
    });

    test('presence: a process says which groups it holds, until when; a new word replaces the last', async () => {
      const store = getStore();
      await store.recordAgentPresence('n1', 'http://n1:4000', ['plant', 'lab'], 2_000);
      await store.recordAgentPresence('n2', 'http://n2:4000', ['plant'], 5_000);
      expect(await store.agentPresence('plant', 1_000)).toEqual([
        { nodeId: 'n1', url: 'http://n1:4000', expiresAt: 2_000 },
        { nodeId: 'n2', url: 'http://n2:4000', expiresAt: 5_000 },
      ]);
      // Expired rows are not presence.
      expect((await store.agentPresence('plant', 3_000)).map((p) => p.nodeId)).toEqual(['n2']);
      await store.recordAgentPresence('n1', 'http://n1:4000', ['lab'], 2_000);
      expect((await store.agentPresence('plant', 1_000)).map((p) => p.nodeId)).toEqual(['n2']);
      await store.recordAgentPresence('n2', 'http://n2:4000', [], 5_000);
      expect(await store.agentPresence('plant', 1_000)).toEqual([]);
      expect((await store.agentPresence('lab', 1_000)).map((p) => p.url)).toEqual(['http://n1:4000']);
    });
  });
}
