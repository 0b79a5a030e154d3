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
});
