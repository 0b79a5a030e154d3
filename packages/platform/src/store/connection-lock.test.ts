/**
 * `withConnectionLock` and the refresh gate over it: on PostgreSQL two stores (two pools, as
 * two processes have) contend for one connection's row; on SQLite the lock is in-process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../__fixtures__/postgres.js';
import { refreshGateFor } from '../refresh-gate.js';
import { Vault } from '../vault.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

const vault = new Vault(randomBytes(32));
const initial = { base: 'https://api.example.test', access_token: 'tok-old', refresh_token: 'rt-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two contenders refresh one connection at once through their own gates: one refresh runs. */
async function contend(first: Store, second: Store, name: string) {
  await first.insertConnection({ name, connector: 'c', ...vault.seal(name, initial) });
  let refreshes = 0;
  const refresh = async () => {
    refreshes++;
    await sleep(150);
    return { ...initial, access_token: 'tok-new', refresh_token: 'rt-2' };
  };
  const outcomes = await Promise.all(
    [first, second].map((store) => refreshGateFor({ store, vault }, name)({ ...initial }, refresh)),
  );
  const stored = vault.open(name, (await second.getConnection(name))!);
  return { refreshes, outcomes, stored };
}

describe('on PostgreSQL', () => {
  let database: TestDatabase;
  let first: PostgresStore;
  let second: PostgresStore;

  beforeAll(async () => {
    database = await startTestDatabase();
    first = await PostgresStore.open(database.url, { poolSize: 3 });
    second = await PostgresStore.open(database.url, { poolSize: 3 });
  }, 120_000);
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.stop();
  });

  test('a second holder waits for the first, and reads what it wrote', async () => {
    const name = 'locked';
    await first.insertConnection({ name, connector: 'c', ...vault.seal(name, initial) });
    const order: string[] = [];
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const a = first.withConnectionLock(name, async (locked) => {
      order.push('a in');
      entered();
      await sleep(200);
      await locked.write(vault.seal(name, { ...initial, access_token: 'tok-a' }));
      order.push('a out');
    });
    // b asks only once a holds the lock (a sleep here let b win on a slow first connection).
    await inside;
    const b = second.withConnectionLock(name, async (locked) => {
      order.push('b in');
      return vault.open(name, locked.record!).access_token;
    });
    const [, seen] = await Promise.all([a, b]);
    expect(order).toEqual(['a in', 'a out', 'b in']);
    expect(seen).toBe('tok-a');
  });

  test('what a failing holder wrote is rolled back, and the lock is released', async () => {
    const name = 'rolled';
    await first.insertConnection({ name, connector: 'c', ...vault.seal(name, initial) });
    await expect(
      first.withConnectionLock(name, async (locked) => {
        await locked.write(vault.seal(name, { ...initial, access_token: 'tok-lost' }));
        throw new Error('the refresh failed');
      }),
    ).rejects.toThrow('the refresh failed');
    const seen = await second.withConnectionLock(name, async (locked) => vault.open(name, locked.record!));
    expect(seen).toEqual(initial);
  });

  test('two processes refreshing one connection: one refresh, the other takes its values', async () => {
    const { refreshes, outcomes, stored } = await contend(first, second, 'shared');
    expect(refreshes).toBe(1);
    expect(outcomes).toContainEqual({ refreshed: true });
    expect(outcomes).toContainEqual({
      refreshed: false,
      values: { ...initial, access_token: 'tok-new', refresh_token: 'rt-2' },
    });
    expect(stored.access_token).toBe('tok-new');
  });
});

describe('on SQLite', () => {
  let dir: string;
  let store: SqliteStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-lock-'));
    store = await SqliteStore.open(join(dir, 'weft.db'));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the lock is in-process: concurrent refreshes of one connection run once, other queries go on', async () => {
    // Not a transaction held open: the store answers while the holder waits for that answer.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const slow = store.withConnectionLock('busy', async () => {
      holding = true;
      await held;
    });
    while (!holding) await sleep(1);
    await store.listConnections({ limit: 10 });
    release();
    await slow;
    const { refreshes, stored } = await contend(store, store, 'embedded');
    expect(refreshes).toBe(1);
    expect(stored.access_token).toBe('tok-new');
    // A holder that fails writes nothing.
    await expect(
      store.withConnectionLock('embedded', async (locked) => {
        await locked.write(vault.seal('embedded', { ...initial, access_token: 'tok-lost' }));
        throw new Error('the refresh failed');
      }),
    ).rejects.toThrow('the refresh failed');
    expect(vault.open('embedded', (await store.getConnection('embedded'))!).access_token).toBe('tok-new');
  });
});
