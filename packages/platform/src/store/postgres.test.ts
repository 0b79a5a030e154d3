import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../__fixtures__/postgres.js';
import { runStoreContract } from './contract.js';
import { PostgresStore, safeDatabaseUrl } from './postgres.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await startTestDatabase();
}, 120_000);

afterAll(async () => {
  await database?.stop();
});

describe('PostgresStore passes the store contract', () => {
  runStoreContract(async () => {
    await database.truncate();
    return PostgresStore.open(database.url, { poolSize: 4 });
  });
});

describe('PostgresStore', () => {
  test('opening twice migrates once; a wrong URL is a settings error without its password', async () => {
    const first = await PostgresStore.open(database.url);
    const second = await PostgresStore.open(database.url);
    await first.close();
    await second.close();
    await expect(PostgresStore.open('mysql://u:p@localhost/x')).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
    const refused = PostgresStore.open('postgres://weft:s3cret-pw@127.0.0.1:9/weft');
    await expect(refused).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
    await expect(refused).rejects.not.toThrow(/s3cret-pw/);
    expect(safeDatabaseUrl('postgres://weft:s3cret-pw@db:5432/weft')).toBe('postgres://weft:***@db:5432/weft');
  });

  test('processes racing on one key: the same connector source stored once, a taken name a CONFLICT', async () => {
    await database.truncate();
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(database.url, { poolSize: 8 })));
    try {
      // What processes of a cluster starting together do with each folder's connector.
      const put = (store: PostgresStore, i: number) =>
        store.putConnectorVersion({ name: `race${i % 5}`, checksum: 'c1', source: 'export default {}', origin: 'f' });
      const versions = await Promise.all(Array.from({ length: 60 }, (_, i) => put(stores[i % 3], i)));
      expect(new Set(versions.map((v) => v.version))).toEqual(new Set([1]));
      const created = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          stores[i % 3].insertConnection({
            name: 'shared',
            connector: 'x',
            valuesEncrypted: `cipher-${i}`,
            keyId: 'key1',
            nonce: `nonce-${i}`,
          }),
        ),
      );
      expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of created.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
      }
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
