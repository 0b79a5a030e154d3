/**
 * Schedule (built in): a trigger that fires on a cron expression in a time zone, or every N
 * seconds, minutes, hours or days.
 *
 * It is a polling trigger whose poll knows the next tick: it returns that time as `nextPollAt`,
 * so the runtime polls at the tick rather than at the recipe's poll interval. Each tick is one
 * event whose dedup key is the tick's scheduled time, and the last tick fired is the poll's
 * closure: the runtime commits the job, the dedup signature and the closure in one transaction
 * (and only the scheduler's leader polls, fenced by the trigger state's version), so a restart
 * or a leader handover neither repeats nor loses a tick.
 *
 * Catch-up: ticks that passed while the recipe could not fire (Weft down, the recipe stopped)
 * fire once, as one event for the latest of them (`catch_up: true`, `missed_ticks` counts the
 * others), unless `catch_up` is off.
 */
import { cronSchedule, defineConnector, defineTrigger } from '@weft/sdk';

/** A tick fired this much after its time or more counts as a catch-up (not merely a slow poll). */
const LATE_MS = 60_000;
/** `missed_ticks` counts at most this many. */
const MAX_COUNTED = 1000;

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** What the poll keeps between ticks: the schedule it was computed for and the last tick fired. */
interface Closure {
  /** The schedule's identity: a change of expression, zone or interval starts afresh. */
  key: string;
  /** The last tick fired (or the start, before the first tick). */
  last: string;
  /** Intervals: the time the ticks count from (the first poll). */
  anchor: string;
}

interface Plan {
  key: string;
  timeZone: string;
  /** The first tick strictly after `after`. */
  next(after: Date, anchor: Date): Date | null;
  /** The last tick at or before `at`, and not before `from`. */
  latest(at: Date, from: Date, anchor: Date): Date | null;
}

interface Input {
  schedule_type?: string;
  cron?: string;
  time_zone?: string;
  every?: number;
  unit?: string;
}

function planOf(input: Input, fail: (message: string) => never): Plan {
  if (input.schedule_type === 'cron') {
    const timeZone = input.time_zone || 'UTC';
    const cron = cronSchedule(String(input.cron ?? ''), { timezone: timeZone, path: 'input.cron' });
    return {
      key: `cron:${cron.expression.trim()}@${timeZone}`,
      timeZone,
      next: (after) => cron.next(after),
      latest: (at, from) => {
        const last = cron.previous(new Date(at.getTime() + 1));
        return last && last >= from ? last : null;
      },
    };
  }
  const unit = (input.unit ?? 'minutes') as Unit;
  if (!Object.hasOwn(UNIT_MS, unit)) fail(`input.unit must be one of ${Object.keys(UNIT_MS).join(', ')}`);
  const every = Number(input.every);
  if (!Number.isInteger(every) || every < 1) fail('input.every must be a whole number of 1 or more');
  const step = every * UNIT_MS[unit];
  return {
    key: `interval:${step}`,
    timeZone: 'UTC',
    next: (after, anchor) => {
      const n = Math.floor((after.getTime() - anchor.getTime()) / step) + 1;
      return new Date(anchor.getTime() + Math.max(1, n) * step);
    },
    latest: (at, from, anchor) => {
      const n = Math.floor((at.getTime() - anchor.getTime()) / step);
      const last = new Date(anchor.getTime() + n * step);
      return n >= 1 && last >= from ? last : null;
    },
  };
}

/** Ticks strictly between `from` and `to`, counted up to `MAX_COUNTED`. */
function countBetween(plan: Plan, from: Date, to: Date, anchor: Date): number {
  let count = 0;
  for (let at = plan.next(from, anchor); at && at < to && count < MAX_COUNTED; at = plan.next(at, anchor)) count++;
  return count;
}

const onSchedule = defineTrigger({
  title: 'On a schedule',
  description: 'Fires on a cron expression in a time zone, or at a fixed interval.',
  help:
    'Cron: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, read in ' +
    'the time zone. Interval: every N units from the time the recipe first started. Ticks missed ' +
    'while Weft was down or the recipe stopped fire once (the latest of them) unless catch-up is off.',
  inputFields: [
    {
      name: 'schedule_type',
      label: 'Schedule',
      controlType: 'select',
      pickList: [
        ['Cron expression', 'cron'],
        ['Interval', 'interval'],
      ],
      default: 'interval',
      sticky: true,
    },
    {
      name: 'cron',
      label: 'Cron expression',
      hint: 'e.g. "0 9 * * 1-5" (9:00 on weekdays); 6 fields with seconds first: "*/10 * * * * *"',
      ngIf: 'input.schedule_type == "cron"',
    },
    {
      name: 'time_zone',
      label: 'Time zone',
      hint: 'IANA name, e.g. Europe/Paris (default UTC)',
      optional: true,
      ngIf: 'input.schedule_type == "cron"',
    },
    { name: 'every', type: 'integer', hint: 'e.g. 5', ngIf: 'input.schedule_type == "interval"' },
    {
      name: 'unit',
      controlType: 'select',
      pickList: [
        ['Seconds', 'seconds'],
        ['Minutes', 'minutes'],
        ['Hours', 'hours'],
        ['Days', 'days'],
      ],
      default: 'minutes',
      ngIf: 'input.schedule_type == "interval"',
    },
    {
      name: 'catch_up',
      label: 'Catch up missed ticks',
      type: 'boolean',
      controlType: 'checkbox',
      optional: true,
      default: true,
      hint: 'Fire once for ticks missed while Weft was down or the recipe stopped',
    },
  ] as const,
  poll: (ctx) => {
    const now = ctx.now();
    const plan = planOf(ctx.input, (message) => ctx.error(message));
    const kept = ctx.closure as Closure | undefined;
    if (!kept || kept.key !== plan.key) {
      // First poll of this schedule: ticks count from now.
      const closure: Closure = { key: plan.key, last: now.toISOString(), anchor: now.toISOString() };
      return { events: [], nextPoll: closure, nextPollAt: plan.next(now, now) };
    }
    const last = new Date(kept.last);
    const anchor = new Date(kept.anchor);
    const first = plan.next(last, anchor);
    const tick = first && first <= now ? plan.latest(now, first, anchor) : null;
    if (!tick) return { events: [], nextPoll: kept, nextPollAt: first };
    const closure: Closure = { ...kept, last: tick.toISOString() };
    const nextPollAt = plan.next(now, anchor);
    const late = now.getTime() - tick.getTime() >= LATE_MS;
    const missed = first && first < tick ? countBetween(plan, last, tick, anchor) : 0;
    if (late && ctx.input.catch_up === false) return { events: [], nextPoll: closure, nextPollAt };
    const event = {
      scheduled_at: tick.toISOString(),
      fired_at: now.toISOString(),
      time_zone: plan.timeZone,
      catch_up: late || missed > 0,
      missed_ticks: missed,
    };
    return { events: [event], nextPoll: closure, nextPollAt };
  },
  dedup: (event: { scheduled_at: string }) => event.scheduled_at,
  outputFields: [
    { name: 'scheduled_at', label: 'Scheduled at', type: 'date_time', hint: 'The tick’s time (UTC)' },
    { name: 'fired_at', label: 'Fired at', type: 'date_time', hint: 'When the tick fired (UTC)' },
    { name: 'time_zone', label: 'Time zone', hint: 'The zone the cron expression is read in' },
    {
      name: 'catch_up',
      type: 'boolean',
      hint: 'The tick fired late: missed while Weft was down or the recipe stopped',
    },
    { name: 'missed_ticks', type: 'integer', hint: 'Earlier missed ticks this one stands for (up to 1000)' },
  ],
  sampleOutput: {
    scheduled_at: '2026-12-07T08:00:00.000Z',
    fired_at: '2026-12-07T08:00:00.012Z',
    time_zone: 'Europe/Paris',
    catch_up: false,
    missed_ticks: 0,
  },
});

export default defineConnector({
  title: 'Schedule',
  description: 'Start recipes on a cron schedule or at a fixed interval (built in).',
  triggers: { on_schedule: onSchedule },
});
