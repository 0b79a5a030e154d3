/**
 * The platform's refresh gate (`RunOptions.refreshGate` of the SDK): a connection's token
 * refresh runs holding the store's lock on the connection (`withConnectionLock`: the row
 * `FOR UPDATE` on PostgreSQL), so that processes sharing a database refresh it once. Under the
 * lock the gate reads the stored values: when they differ from the values the run holds, another
 * process refreshed meanwhile and the run takes them; else the refresh runs and its values are
 * sealed and written in the same transaction, committed before the lock is released.
 */
import type { RefreshGate } from '@weft/sdk/operations';
import type { ConnectionRepository } from './store/store.js';
import type { Vault } from './vault.js';

export interface RefreshGateDeps {
  store: Pick<ConnectionRepository, 'withConnectionLock'>;
  vault: Pick<Vault, 'open' | 'seal'>;
  /** Told of each refresh stored (the metrics). */
  onRefreshed?: () => void;
}

export function refreshGateFor(deps: RefreshGateDeps, name: string): RefreshGate {
  return (held, refresh) =>
    deps.store.withConnectionLock(name, async (locked) => {
      if (locked.record) {
        const stored = deps.vault.open(name, locked.record);
        if (!sameValues(stored, held)) return { refreshed: false, values: stored };
      }
      const values = await refresh();
      // A connection deleted meanwhile stays deleted: the run goes on with its new values.
      await locked.write(deps.vault.seal(name, values));
      deps.onRefreshed?.();
      return { refreshed: true };
    });
}

/** Equal as stored (JSON), whatever the order of their keys. */
export function sameValues(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}
