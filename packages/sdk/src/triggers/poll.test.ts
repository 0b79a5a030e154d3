import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import { MAX_EMPTY_POLLS, runPoll, runPollCycle } from './poll.js';
import { MemorySeenStore } from './seen.js';

interface Item {
  id: number;
  at: string;
}

/** A feed the tests change between polls. */
const feed: { items: Item[]; pageSize: number; fail?: string; raw?: unknown } = { items: [], pageSize: 2 };

const connector = defineConnector({
  title: 'Polling',
  triggers: {
    items: {
      inputFields: [{ name: 'limit', type: 'integer', optional: true }],
      poll: (ctx) => {
        if (feed.fail) throw new Error(feed.fail);
        if (feed.raw !== undefined) return feed.raw as never;
        const offset = (ctx.closure as { offset: number } | undefined)?.offset ?? 0;
        const size = ctx.input.limit ?? feed.pageSize;
        const page = feed.items.slice(offset, offset + size);
        return {
          events: page,
          nextPoll: page.length ? { offset: offset + page.length } : null,
          canPollMore: offset + page.length < feed.items.length,
        };
      },
      dedup: (item: Item) => `${item.id}@${item.at}`,
    },
    no_dedup: {
      poll: () => ({ events: [{ id: 1 }, { id: 1 }] }),
    },
    bad_dedup: {
      poll: () => ({ events: [{ id: 1 }] }),
      dedup: () => undefined as never,
    },
    flood: {
      poll: () => ({ events: Array.from({ length: 1001 }, (_, id) => ({ id })), canPollMore: false }),
      dedup: (e: { id: number }) => String(e.id),
    },
    empty_forever: {
      poll: (ctx) => ({ events: [{ id: 'same' }], nextPoll: ((ctx.closure as number) ?? 0) + 1, canPollMore: true }),
      dedup: (e: { id: string }) => e.id,
    },
  },
});

function items(...ids: number[]): Item[] {
  return ids.map((id) => ({ id, at: '2026-01-01' }));
}

describe('runPoll', () => {
  test('returns new events in order with their signatures, and the next closure', async () => {
    feed.items = items(1, 2, 3);
    feed.fail = undefined;
    feed.raw = undefined;
    const store = new MemorySeenStore();
    const first = await runPoll({ connector, trigger: 'items', store });
    expect(first).toMatchObject({
      events: items(1, 2),
      signatures: ['1@2026-01-01', '2@2026-01-01'],
      duplicates: 0,
      nextClosure: { offset: 2 },
      canPollMore: true,
      pollAgain: true,
      emptyPolls: 0,
      emptyLimitReached: false,
    });
    expect(store.size).toBe(2);
    const second = await runPoll({ connector, trigger: 'items', store, closure: first.nextClosure });
    expect(second).toMatchObject({ events: items(3), nextClosure: { offset: 3 }, canPollMore: false });
  });

  test('events seen before are dropped; an updated event (new signature) is new', async () => {
    feed.items = items(1, 2);
    const store = new MemorySeenStore();
    await runPoll({ connector, trigger: 'items', store });
    feed.items = [...items(1), { id: 2, at: '2026-02-02' }];
    const again = await runPoll({ connector, trigger: 'items', store });
    expect(again.events).toEqual([{ id: 2, at: '2026-02-02' }]);
    expect(again.duplicates).toBe(1);
  });

  test('duplicates within one poll count once (the first wins)', async () => {
    feed.items = [...items(5), { id: 6, at: 'x' }, ...items(5)];
    const store = new MemorySeenStore();
    const outcome = await runPoll({ connector, trigger: 'items', store, input: { limit: 3 } });
    expect(outcome.events).toEqual([...items(5), { id: 6, at: 'x' }]);
    expect(outcome.duplicates).toBe(1);
  });

  test('input is processed by the executor first (a string limit becomes a number)', async () => {
    feed.items = items(1, 2, 3);
    const outcome = await runPoll({ connector, trigger: 'items', store: new MemorySeenStore(), input: { limit: '3' } });
    expect(outcome.events).toHaveLength(3);
  });

  test('without dedup every event is new, even repeated ones', async () => {
    const store = new MemorySeenStore();
    const outcome = await runPoll({ connector, trigger: 'no_dedup', store });
    expect(outcome).toMatchObject({ events: [{ id: 1 }, { id: 1 }], signatures: [], canPollMore: false });
    expect(store.size).toBe(0);
  });

  test('a missing or null nextPoll keeps the previous closure', async () => {
    feed.items = [];
    const outcome = await runPoll({
      connector,
      trigger: 'items',
      store: new MemorySeenStore(),
      closure: { offset: 7 },
    });
    expect(outcome.nextClosure).toEqual({ offset: 7 });
    feed.raw = { events: [] };
    const missing = await runPoll({ connector, trigger: 'items', store: new MemorySeenStore(), closure: 'keep' });
    expect(missing.nextClosure).toBe('keep');
    feed.raw = undefined;
  });

  test('a poll that throws records nothing (the caller keeps its closure)', async () => {
    feed.items = items(1);
    feed.fail = 'API down';
    const store = new MemorySeenStore();
    await expect(runPoll({ connector, trigger: 'items', store, closure: { offset: 0 } })).rejects.toMatchObject({
      code: 'LAMBDA_FAILED',
      message: 'triggers.items.poll failed: API down',
    });
    expect(store.size).toBe(0);
    feed.fail = undefined;
  });

  test('a bad result is a clear error: events not an array, canPollMore not a boolean', async () => {
    const store = new MemorySeenStore();
    feed.raw = { items: [] };
    await expect(runPoll({ connector, trigger: 'items', store })).rejects.toThrow(
      'triggers.items.poll must return { events: [...], nextPoll, canPollMore }',
    );
    feed.raw = { events: [], canPollMore: 'yes' };
    await expect(runPoll({ connector, trigger: 'items', store })).rejects.toThrow(
      'triggers.items.poll: canPollMore must be a boolean',
    );
    feed.raw = undefined;
  });

  test('more than 1,000 events is an error naming the trigger, and nothing is recorded', async () => {
    const store = new MemorySeenStore();
    await expect(runPoll({ connector, trigger: 'flood', store })).rejects.toMatchObject({
      code: 'TOO_MANY_EVENTS',
      message: expect.stringMatching(/^triggers\.flood\.poll returned 1001 events; at most 1000/),
    });
    expect(store.size).toBe(0);
    // weft exec shows the same error: one executor.
    await expect(execute(connector, 'triggers.flood.poll')).rejects.toMatchObject({ code: 'TOO_MANY_EVENTS' });
  });

  test('a dedup that returns no string is an error naming the trigger', async () => {
    await expect(runPoll({ connector, trigger: 'bad_dedup', store: new MemorySeenStore() })).rejects.toThrow(
      'triggers.bad_dedup.dedup must return a string signature, got undefined for event 0',
    );
  });

  test('record: false leaves recording to the caller', async () => {
    feed.items = items(1);
    const store = new MemorySeenStore();
    const outcome = await runPoll({ connector, trigger: 'items', store, record: false });
    expect(outcome.signatures).toEqual(['1@2026-01-01']);
    expect(store.size).toBe(0);
  });

  test('signatures are kept per recipe (recipeKey)', async () => {
    feed.items = items(1);
    const store = new MemorySeenStore();
    expect((await runPoll({ connector, trigger: 'items', store, recipeKey: 'r1' })).events).toHaveLength(1);
    expect((await runPoll({ connector, trigger: 'items', store, recipeKey: 'r1' })).events).toHaveLength(0);
    expect((await runPoll({ connector, trigger: 'items', store, recipeKey: 'r2' })).events).toHaveLength(1);
  });

  test('the empty-poll counter: the 600th poll in a row without a new event stops the cycle', async () => {
    const store = new MemorySeenStore();
    const first = await runPoll({ connector, trigger: 'empty_forever', store });
    expect(first).toMatchObject({ events: [{ id: 'same' }], emptyPolls: 0, pollAgain: true });
    const next = await runPoll({ connector, trigger: 'empty_forever', store, emptyPolls: 0 });
    expect(next).toMatchObject({ events: [], emptyPolls: 1, pollAgain: true, emptyLimitReached: false });
    const last = await runPoll({ connector, trigger: 'empty_forever', store, emptyPolls: MAX_EMPTY_POLLS - 1 });
    // The cycle ends: the counter starts again at the next interval.
    expect(last).toMatchObject({ canPollMore: true, pollAgain: false, emptyLimitReached: true, emptyPolls: 0 });
  });
});

describe('runPollCycle', () => {
  test('pages while canPollMore, dedup spans the pages', async () => {
    feed.items = [...items(1, 2, 3), ...items(2), ...items(4)];
    const store = new MemorySeenStore();
    const seen: number[] = [];
    const cycle = await runPollCycle({
      connector,
      trigger: 'items',
      store,
      onPoll: (o) => {
        seen.push(o.events.length);
      },
    });
    expect(cycle).toMatchObject({
      events: items(1, 2, 3, 4),
      nextClosure: { offset: 5 },
      canPollMore: false,
      polls: 3,
      duplicates: 1,
      maxPollsReached: false,
    });
    expect(seen).toEqual([2, 1, 1]);
  });

  test('stops after maxPolls with canPollMore still true', async () => {
    feed.items = items(1, 2, 3, 4, 5);
    const cycle = await runPollCycle({ connector, trigger: 'items', store: new MemorySeenStore(), maxPolls: 2 });
    expect(cycle).toMatchObject({ polls: 2, canPollMore: true, maxPollsReached: true, nextClosure: { offset: 4 } });
  });

  test('600 empty polls in a row end the cycle', async () => {
    const cycle = await runPollCycle({
      connector,
      trigger: 'empty_forever',
      store: new MemorySeenStore(),
      maxPolls: 10_000,
    });
    expect(cycle).toMatchObject({ polls: 1 + MAX_EMPTY_POLLS, emptyLimitReached: true, events: [{ id: 'same' }] });
    expect(cycle.nextClosure).toBe(1 + MAX_EMPTY_POLLS);
  });
});
