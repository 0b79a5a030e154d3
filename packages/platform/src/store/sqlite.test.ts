import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newRecipe } from '../__fixtures__/stored-recipe.js';
import { runStoreContract } from './contract.js';
import { SqliteStore } from './sqlite.js';

describe('SqliteStore (in memory) passes the store contract', () => {
  runStoreContract(() => SqliteStore.open(':memory:'));
});

describe('SqliteStore on a file', () => {
  runStoreContract(async () => SqliteStore.open(join(await mkdtemp(join(tmpdir(), 'weft-store-')), 'weft.db')));

  test('keeps committed data across a reopen (WAL)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-store-')), 'weft.db');
    const store = await SqliteStore.open(file);
    const recipe = await store.insertRecipe(newRecipe());
    await store.commitPoll({ recipeId: recipe.id, events: [{ id: 1 }], signatures: ['1'], closure: 'c' });
    await store.close();
    const again = await SqliteStore.open(file);
    expect((await again.getTriggerState(recipe.id))?.closure).toBe('c');
    expect((await again.listJobs({ limit: 5 })).items).toHaveLength(1);
    await again.close();
  });
});
