/**
 * The schedule trigger: its ticks through the SDK's poll runner with a set clock (catch-up,
 * intervals, a changed schedule), `weft exec`, and a real `weft serve` firing a cron every
 * second, once per tick, across a kill -9 and a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { loadConnectorFile, MemorySeenStore, type PollOutcome, runPoll } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCall, type RunningWeft, runWeft, startWeft } from '../../../cli/src/test-helpers.js';

const FOLDER = fileURLToPath(new URL('.', import.meta.url));
const BUILTINS = fileURLToPath(new URL('..', import.meta.url));

let connector: ConnectorDefinition;

beforeAll(async () => {
  connector = (await loadConnectorFile(FOLDER)).definition;
});

/** Polls as the runtime does, at `now`, from `closure`. */
function pollAt(now: string, input: Record<string, unknown>, closure?: unknown): Promise<PollOutcome> {
  return runPoll({
    connector,
    trigger: 'on_schedule',
    input,
    closure,
    store: new MemorySeenStore(),
    executeOptions: { now: () => new Date(now) },
  });
}

describe('ticks', () => {
  const cron = { schedule_type: 'cron', cron: '0 9 * * *', time_zone: 'Europe/Paris' };

  test('the first poll fires nothing and asks to be polled at the first tick, read in the time zone', async () => {
    const first = await pollAt('2026-07-01T05:00:00Z', cron);
    expect(first.events).toEqual([]);
    // 09:00 in Paris in summer is 07:00 UTC.
    expect(first.nextPollAt).toBe('2026-07-01T07:00:00.000Z');
    const early = await pollAt('2026-07-01T06:59:59.999Z', cron, first.nextClosure);
    expect(early.events).toEqual([]);
    expect(early.nextPollAt).toBe('2026-07-01T07:00:00.000Z');
    const onTime = await pollAt('2026-07-01T07:00:00.250Z', cron, first.nextClosure);
    expect(onTime.events).toEqual([
      {
        scheduled_at: '2026-07-01T07:00:00.000Z',
        fired_at: '2026-07-01T07:00:00.250Z',
        time_zone: 'Europe/Paris',
        catch_up: false,
        missed_ticks: 0,
      },
    ]);
    expect(onTime.signatures).toEqual(['2026-07-01T07:00:00.000Z']);
    expect(onTime.nextPollAt).toBe('2026-07-02T07:00:00.000Z');
    // In winter the same expression is 08:00 UTC.
    const winter = await pollAt('2026-12-01T05:00:00Z', cron);
    expect(winter.nextPollAt).toBe('2026-12-01T08:00:00.000Z');
  });

  test('after downtime the missed ticks fire once, as the latest of them; with catch-up off, not at all', async () => {
    const start = await pollAt('2026-07-01T05:00:00Z', cron);
    const back = await pollAt('2026-07-04T12:00:00Z', cron, start.nextClosure);
    expect(back.events).toEqual([
      {
        scheduled_at: '2026-07-04T07:00:00.000Z',
        fired_at: '2026-07-04T12:00:00.000Z',
        time_zone: 'Europe/Paris',
        catch_up: true,
        missed_ticks: 3,
      },
    ]);
    expect(back.nextClosure).toMatchObject({ last: '2026-07-04T07:00:00.000Z' });
    const again = await pollAt('2026-07-04T12:00:01Z', cron, back.nextClosure);
    expect(again.events).toEqual([]);

    const strict = { ...cron, catch_up: false };
    const skipped = await pollAt('2026-07-04T12:00:00Z', strict, start.nextClosure);
    expect(skipped.events).toEqual([]);
    expect(skipped.nextClosure).toMatchObject({ last: '2026-07-04T07:00:00.000Z' });
    expect(skipped.nextPollAt).toBe('2026-07-05T07:00:00.000Z');
  });

  test('an interval counts from the first poll; a changed schedule starts afresh', async () => {
    const every = { schedule_type: 'interval', every: 5, unit: 'minutes' };
    const start = await pollAt('2026-07-01T10:02:30Z', every);
    expect(start.nextPollAt).toBe('2026-07-01T10:07:30.000Z');
    const tick = await pollAt('2026-07-01T10:07:30.100Z', every, start.nextClosure);
    expect(tick.events).toMatchObject([
      { scheduled_at: '2026-07-01T10:07:30.000Z', time_zone: 'UTC', missed_ticks: 0 },
    ]);
    expect(tick.nextPollAt).toBe('2026-07-01T10:12:30.000Z');
    const changed = await pollAt('2026-07-01T10:20:00Z', { ...every, every: 1, unit: 'hours' }, tick.nextClosure);
    expect(changed.events).toEqual([]);
    expect(changed.nextPollAt).toBe('2026-07-01T11:20:00.000Z');
  });

  test('a bad expression, time zone or interval is an error naming the input', async () => {
    await expect(pollAt('2026-07-01T10:00:00Z', { ...cron, cron: '61 * * * *' })).rejects.toThrow(/input\.cron/);
    await expect(pollAt('2026-07-01T10:00:00Z', { ...cron, time_zone: 'Mars/Olympus' })).rejects.toThrow(
      /unknown time zone "Mars\/Olympus"/,
    );
    await expect(pollAt('2026-07-01T10:00:00Z', { schedule_type: 'interval', every: 0 })).rejects.toThrow(
      /input\.every/,
    );
  });
});

test('weft exec polls the trigger and prints nextPollAt', async () => {
  const input = JSON.stringify({ schedule_type: 'interval', every: 2, unit: 'hours' });
  const result = await runWeft(['exec', 'triggers.on_schedule.poll', `--connector=${FOLDER}`, `--input=${input}`]);
  expect(result.stderr).toBe('');
  const output = JSON.parse(result.stdout);
  expect(output.events).toEqual([]);
  expect(Date.parse(output.nextPollAt) - Date.parse(output.nextPoll.anchor)).toBe(2 * 3600_000);
});

describe('in weft serve', () => {
  const token = 'schedule-test-token-0123456789';
  const call = apiCall(token);
  let home: string;
  let weft: RunningWeft | undefined;

  afterAll(async () => {
    await weft?.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  async function serve(): Promise<string> {
    weft = startWeft(['serve', '--port', '0', '--connectors', BUILTINS], {
      env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: token },
    });
    const [, url] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    return url;
  }

  interface Tick {
    scheduled_at: string;
    fired_at: string;
    time_zone: string;
    catch_up: boolean;
    missed_ticks: number;
  }

  async function ticks(base: string, recipe: string): Promise<Tick[]> {
    const page = await call(base, 'GET', `/api/jobs?recipeId=${recipe}&limit=1000`);
    return (page.items as { trigger: Tick }[])
      .map((j) => j.trigger)
      .sort((a, b) => a.scheduled_at.localeCompare(b.scheduled_at));
  }

  async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('a cron every second fires once per tick, on time, and a kill -9 and restart neither repeat nor lose one', async () => {
    home = mkdtempSync(join(tmpdir(), 'weft-schedule-'));
    let base = await serve();
    const recipe = await call(base, 'POST', '/api/recipes', {
      name: 'every second',
      trigger: {
        connector: 'schedule',
        trigger: 'on_schedule',
        input: { schedule_type: 'cron', cron: '* * * * * *', time_zone: 'Asia/Kolkata' },
      },
      steps: [],
    });
    await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
    const before = await until('four ticks', async () => {
      const list = await ticks(base, recipe.id);
      return list.length >= 4 ? list : undefined;
    });
    for (const tick of before) {
      expect(tick.time_zone).toBe('Asia/Kolkata');
      expect(tick.scheduled_at).toMatch(/\.000Z$/);
      // Fired at its time (the poll runs at the tick, not at the 5-minute poll interval).
      const late = Date.parse(tick.fired_at) - Date.parse(tick.scheduled_at);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    }

    await weft?.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    base = await serve();
    const seen = (await ticks(base, recipe.id)).length;
    const after = await until('three more ticks after the restart', async () => {
      const list = await ticks(base, recipe.id);
      return list.length >= seen + 3 ? list : undefined;
    });
    await call(base, 'POST', `/api/recipes/${recipe.id}/stop`);

    const times = after.map((t) => Date.parse(t.scheduled_at));
    expect(new Set(times).size).toBe(times.length);
    // Every second is accounted for: fired, or counted by the one catch-up after the restart.
    for (let i = 1; i < after.length; i++) {
      expect((times[i] - times[i - 1]) / 1000 - 1).toBe(after[i].missed_ticks);
    }
    const caughtUp = after.filter((t) => t.catch_up);
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0].missed_ticks).toBeGreaterThan(0);
  }, 90_000);
});
