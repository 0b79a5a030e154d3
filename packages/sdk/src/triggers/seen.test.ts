import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileSeenStore, MemorySeenStore } from './seen.js';

describe('MemorySeenStore', () => {
  test('answers a batch at once and keeps scopes apart', async () => {
    const store = new MemorySeenStore();
    await store.add(['a', 'b']);
    await store.add(['a'], 'recipe-1');
    expect(await store.has(['a', 'c', 'b'])).toEqual([true, false, true]);
    expect(await store.has(['a', 'b'], 'recipe-1')).toEqual([true, false]);
    expect(await store.has([], 'recipe-1')).toEqual([]);
  });
});

describe('FileSeenStore', () => {
  test('signatures survive reopening; adding a seen one again writes nothing', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-seen-')), 'deep', 'seen.jsonl');
    const store = await FileSeenStore.open(file);
    expect(await store.has(['x'])).toEqual([false]);
    await store.add(['x', 'line\nbreak', 'ünïcode']);
    await store.add(['x']);
    await store.add(['x'], 'scoped');
    const reopened = await FileSeenStore.open(file);
    expect(await reopened.has(['x', 'line\nbreak', 'ünïcode', 'y'])).toEqual([true, true, true, false]);
    expect(await reopened.has(['x'], 'scoped')).toEqual([true]);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  test('a line cut short by a crash is skipped and the next batch starts on its own line', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-seen-')), 'seen.jsonl');
    await writeFile(file, '"ok"\n"cut sho');
    const store = await FileSeenStore.open(file);
    expect(await store.has(['ok', 'cut sho'])).toEqual([true, false]);
    await store.add(['next']);
    const reopened = await FileSeenStore.open(file);
    expect(await reopened.has(['ok', 'next'])).toEqual([true, true]);
  });

  test('compact rewrites the file with each signature once', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-seen-')), 'seen.jsonl');
    const store = await FileSeenStore.open(file);
    await store.add(['a', 'b']);
    // Another writer appended duplicates (two runs at once).
    await appendFile(file, '"a"\n"b"\n"c"\n');
    const reopened = await FileSeenStore.open(file);
    await reopened.compact();
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean).sort()).toEqual(['"a"', '"b"', '"c"']);
  });

  test('concurrent batches do not interleave', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-seen-')), 'seen.jsonl');
    const store = await FileSeenStore.open(file);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.add(Array.from({ length: 50 }, (_, j) => `s${i}-${j}`))),
    );
    const reopened = await FileSeenStore.open(file);
    expect(reopened.size).toBe(1000);
  });
});
