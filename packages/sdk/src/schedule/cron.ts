/**
 * Cron schedules for connector code (the built-in `schedule` trigger, any trigger that fires at
 * set times): a checked expression in an IANA time zone whose next tick after a given instant
 * is known. Pure (no timers): the caller decides when to look, e.g. by returning the next tick
 * as a poll's `nextPollAt`. Backed by `croner`, so a connector bundle needs nothing beyond
 * `@weft/sdk` to use it.
 */
import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

export interface CronScheduleOptions {
  /** IANA time zone the expression is read in (default `UTC`), e.g. `Europe/Paris`. */
  timezone?: string;
  /** Where a problem is reported (default `cron`), e.g. `input.cron`. */
  path?: string;
}

export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first tick strictly after `after`, or null when the expression never fires again. */
  next(after: Date): Date | null;
  /** The last tick strictly before `before`, or null when there is none. */
  previous(before: Date): Date | null;
}

/** True when `zone` is an IANA time zone this Node.js knows (or `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with
 * seconds first, read in `timezone`. A bad expression or time zone is an `INPUT_INVALID`
 * `ValidationError` naming `path`.
 */
export function cronSchedule(expression: string, options: CronScheduleOptions = {}): CronSchedule {
  const path = options.path ?? 'cron';
  const timezone = options.timezone || 'UTC';
  if (!isTimeZone(timezone)) {
    throw new ValidationError('INPUT_INVALID', [
      { path: options.path ? `${path}.timezone` : 'timezone', message: `unknown time zone "${timezone}"` },
    ]);
  }
  let cron: Cron;
  try {
    // No callback: croner only computes, it starts no timer.
    cron = new Cron(expression.trim(), { timezone, paused: true });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern:\s*/, '');
    throw new ValidationError('INPUT_INVALID', [{ path, message: `is not a cron expression: ${reason}` }]);
  }
  return {
    expression,
    timezone,
    next: (after) => cron.nextRun(after),
    previous: (before) => cron.previousRuns(1, before)[0] ?? null,
  };
}
