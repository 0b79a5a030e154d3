/**
 * The store contract, continued: scoped MCP tokens (0008). Run from `runStoreContract`.
 */
import { describe, expect, test } from 'vitest';
import type { Store } from './store.js';

export function runMcpTokenContract(getStore: () => Store): void {
  describe('MCP tokens', () => {
    test('insert, find by hash, list by name, delete; a taken name is a conflict', async () => {
      const store = getStore();
      const b = await store.insertMcpToken({ name: 'b', connections: ['crm', 'mail'], tokenHash: 'h-b' });
      await store.insertMcpToken({ name: 'a', connections: [], tokenHash: 'h-a' });
      expect(b).toMatchObject({ name: 'b', connections: ['crm', 'mail'], tokenHash: 'h-b' });
      await expect(store.insertMcpToken({ name: 'b', connections: [], tokenHash: 'h-x' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await store.mcpTokenByHash('h-b'))?.connections).toEqual(['crm', 'mail']);
      expect(await store.mcpTokenByHash('nope')).toBeUndefined();
      expect((await store.listMcpTokens()).map((t) => t.name)).toEqual(['a', 'b']);
      expect(await store.deleteMcpToken('b')).toBe(true);
      expect(await store.deleteMcpToken('b')).toBe(false);
      expect(await store.mcpTokenByHash('h-b')).toBeUndefined();
    });
  });
}
