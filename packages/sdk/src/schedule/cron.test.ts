import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { isWeftError } from '../errors.js';
import { runPoll } from '../triggers/poll.js';
import { MemorySeenStore } from '../triggers/seen.js';
import { cronSchedule, isTimeZone } from './cron.js';

describe('cronSchedule', () => {
  test('reads the expression in its time zone, with seconds when it has six fields', () => {
    const nine = cronSchedule('0 9 * * 1-5', { timezone: 'America/New_York' });
    // Friday 2026-12-04 15:00Z is 10:00 in New York: the next weekday 09:00 is Monday's.
    expect(nine.next(new Date('2026-12-04T15:00:00Z'))?.toISOString()).toBe('2026-12-07T14:00:00.000Z');
    expect(nine.previous(new Date('2026-12-07T14:00:00Z'))?.toISOString()).toBe('2026-12-04T14:00:00.000Z');
    const everyTwo = cronSchedule('*/2 * * * * *');
    expect(everyTwo.timezone).toBe('UTC');
    expect(everyTwo.next(new Date('2026-01-01T00:00:02.000Z'))?.toISOString()).toBe('2026-01-01T00:00:04.000Z');
  });

  test('a bad expression or time zone is INPUT_INVALID at the given path', () => {
    const problem = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return isWeftError(error) ? { code: error.code, message: error.message } : error;
      }
      return undefined;
    };
    expect(problem(() => cronSchedule('61 * * * *', { path: 'input.cron' }))).toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(/input\.cron: is not a cron expression/),
    });
    expect(problem(() => cronSchedule('* * * * *', { timezone: 'Nowhere/Land', path: 'input.cron' }))).toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(/input\.cron\.timezone: unknown time zone "Nowhere\/Land"/),
    });
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Europe/Nowhere')).toBe(false);
  });
});

describe('nextPollAt', () => {
  const at = { value: undefined as unknown };
  const connector = defineConnector({
    title: 'Timed',
    triggers: { timed: { poll: () => ({ events: [], nextPollAt: at.value as Date }) } },
  });
  const poll = () => runPoll({ connector, trigger: 'timed', store: new MemorySeenStore() });

  test('a Date or ISO text comes out as ISO text; none leaves it out', async () => {
    at.value = new Date('2026-12-07T08:00:00Z');
    expect((await poll()).nextPollAt).toBe('2026-12-07T08:00:00.000Z');
    at.value = '2026-12-07T09:00:00+01:00';
    expect((await poll()).nextPollAt).toBe('2026-12-07T08:00:00.000Z');
    at.value = null;
    expect('nextPollAt' in (await poll())).toBe(false);
  });

  test('anything else is an error of the poll', async () => {
    at.value = 'soon';
    await expect(poll()).rejects.toThrow(/nextPollAt must be a Date or an ISO 8601 time, got "soon"/);
  });
});
