/**
 * Util (built in): small actions recipes need between two applications — log a message into
 * the job, compose JSON, parse, format and shift dates, and wait.
 *
 * Waiting: a short wait (up to `SLEEP_LIMIT_SECONDS`) sleeps in the step; a longer one suspends
 * the job (`reinvokeAfter`) so that no worker is held, and the step runs again when the time
 * has come (the runtime waits at least `WEFT_REINVOKE_MIN_SECONDS` between invocations).
 */
import {
  defineAction,
  defineConnector,
  type JsonSchema,
  messageOf,
  type Problem,
  validateAgainstSchema,
} from '@weft/sdk';
import {
  addDuration,
  checkZone,
  formatDate,
  offsetMinutes,
  parseDuration,
  parseIso,
  parseWithPattern,
} from './dates.js';

/** Waits up to this long sleep in the step; longer ones suspend the job. */
const SLEEP_LIMIT_SECONDS = 30;
/** The longest wait: 30 days. */
const MAX_WAIT_SECONDS = 30 * 86_400;
const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const timeZoneField = {
  name: 'time_zone',
  label: 'Time zone',
  hint: 'IANA name, e.g. Europe/Paris (default UTC)',
  optional: true,
} as const;

function zoneOf(value: string | undefined, fail: (message: string) => never): string {
  const zone = value || 'UTC';
  const problem = checkZone(zone);
  if (problem) fail(`input.time_zone: ${problem}`);
  return zone;
}

function readDate(text: string, format: string | undefined, zone: string, fail: (message: string) => never): Date {
  const date = format ? parseWithPattern(text, format, zone) : parseIso(text, zone);
  if (!date || Number.isNaN(date.getTime())) {
    fail(format ? `"${text}" does not match the format "${format}"` : `"${text}" is not an ISO 8601 date or time`);
  }
  return date;
}

function describeDate(date: Date, zone: string) {
  return {
    iso: date.toISOString(),
    local: formatDate(date, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", zone),
    epoch_seconds: Math.floor(date.getTime() / 1000),
    epoch_ms: date.getTime(),
    time_zone: zone,
    offset_minutes: offsetMinutes(date, zone),
  };
}

const dateOutput = [
  { name: 'iso', label: 'ISO time (UTC)', type: 'date_time' },
  { name: 'local', label: 'Local time', hint: 'ISO 8601 with the zone’s offset' },
  { name: 'epoch_seconds', type: 'integer' },
  { name: 'epoch_ms', type: 'integer' },
  { name: 'time_zone' },
  { name: 'offset_minutes', type: 'integer' },
] as const;

const dateSample = {
  iso: '2026-12-07T08:00:00.000Z',
  local: '2026-12-07T09:00:00.000+01:00',
  epoch_seconds: 1796630400,
  epoch_ms: 1796630400000,
  time_zone: 'Europe/Paris',
  offset_minutes: 60,
};

const log = defineAction({
  title: 'Log a message',
  description:
    'Writes a message into the job: it is the step’s output and a line of the step’s logs (a log line under --verbose).',
  inputFields: [
    { name: 'message', controlType: 'text-area' },
    {
      name: 'level',
      controlType: 'select',
      pickList: LEVELS.map((l) => [l, l] as [string, string]),
      optional: true,
      default: 'info',
    },
  ] as const,
  execute: (ctx) => {
    const level = (LEVELS as readonly string[]).includes(ctx.input.level ?? '') ? (ctx.input.level as 'info') : 'info';
    ctx.log[level](ctx.input.message);
    return { message: ctx.input.message, level, logged_at: ctx.now().toISOString() };
  },
  outputFields: [{ name: 'message' }, { name: 'level' }, { name: 'logged_at', type: 'date_time' }],
  sampleOutput: { message: 'Order 1042 synced', level: 'info', logged_at: '2026-12-07T08:00:00.000Z' },
});

const composeJson = defineAction({
  title: 'Compose JSON',
  description:
    'Builds a JSON value from text (with datapills), checks it parses, and optionally checks it against a JSON Schema.',
  inputFields: [
    { name: 'json', label: 'JSON', controlType: 'text-area', hint: 'e.g. {"id": 42, "tags": ["a"]}' },
    {
      name: 'schema',
      label: 'JSON Schema',
      controlType: 'text-area',
      optional: true,
      hint: 'The value must match this schema (draft 2020-12 keywords)',
    },
  ] as const,
  execute: async (ctx) => {
    const parse = (text: string, what: string): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        return ctx.error(`${what} is not valid JSON: ${(error as Error).message}`);
      }
    };
    const value = parse(ctx.input.json, 'input.json');
    if (ctx.input.schema) {
      const schema = parse(ctx.input.schema, 'input.schema');
      if (!schema || typeof schema !== 'object') ctx.error('input.schema must be a JSON Schema object');
      let problems: Problem[];
      try {
        problems = await validateAgainstSchema(schema as JsonSchema, value, 'value');
      } catch (error) {
        return ctx.error(`input.schema is not a usable JSON Schema: ${messageOf(error)}`);
      }
      if (problems.length) {
        ctx.error(`The JSON does not match the schema: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
      }
    }
    return { value, text: JSON.stringify(value) };
  },
  outputFields: [
    { name: 'value', type: 'object', hint: 'The parsed value' },
    { name: 'text', hint: 'The value as compact JSON text' },
  ],
  sampleOutput: { value: { id: 42, tags: ['a'] }, text: '{"id":42,"tags":["a"]}' },
});

const parseDate = defineAction({
  title: 'Parse a date',
  description: 'Reads a date or time written in a format (or ISO 8601) into a point in time.',
  inputFields: [
    { name: 'text', hint: 'e.g. 07/12/2026 09:00' },
    {
      name: 'format',
      optional: true,
      hint: "e.g. dd/MM/yyyy HH:mm; letters: yyyy yy MMMM MMM MM M dd d EEE HH H hh h mm ss SSS a XXX; 'quoted' text. Empty: ISO 8601",
    },
    { ...timeZoneField, hint: 'The zone of a text without an offset (default UTC)' },
  ] as const,
  execute: (ctx) => {
    const zone = zoneOf(ctx.input.time_zone, ctx.error);
    return describeDate(readDate(ctx.input.text, ctx.input.format, zone, ctx.error), zone);
  },
  outputFields: dateOutput,
  sampleOutput: dateSample,
});

const formatDateAction = defineAction({
  title: 'Format a date',
  description: 'Writes a point in time by a pattern, in a time zone.',
  inputFields: [
    { name: 'date', hint: 'ISO 8601, e.g. 2026-12-07T08:00:00Z' },
    {
      name: 'pattern',
      hint: 'e.g. EEE, d MMM yyyy HH:mm (same letters as Parse a date)',
      default: "yyyy-MM-dd'T'HH:mm:ssXXX",
    },
    timeZoneField,
  ] as const,
  execute: (ctx) => {
    const zone = zoneOf(ctx.input.time_zone, ctx.error);
    const date = readDate(ctx.input.date, undefined, zone, ctx.error);
    return { text: formatDate(date, ctx.input.pattern, zone), ...describeDate(date, zone) };
  },
  outputFields: [{ name: 'text' }, ...dateOutput],
  sampleOutput: { text: 'Mon, 7 Dec 2026 09:00', ...dateSample },
});

const addDurationAction = defineAction({
  title: 'Add or subtract a duration',
  description:
    'Moves a point in time by an ISO 8601 duration (P1D, PT30M, -P1M); days and months follow the zone’s calendar.',
  inputFields: [
    { name: 'date', hint: 'ISO 8601, e.g. 2026-12-07T08:00:00Z' },
    { name: 'duration', hint: 'ISO 8601: P1Y2M10DT2H30M, PT90M; a leading - subtracts' },
    { ...timeZoneField, hint: 'The calendar days and months are counted in (default UTC)' },
  ] as const,
  execute: (ctx) => {
    const zone = zoneOf(ctx.input.time_zone, ctx.error);
    const date = readDate(ctx.input.date, undefined, zone, ctx.error);
    const duration = parseDuration(ctx.input.duration);
    if (!duration) return ctx.error(`"${ctx.input.duration}" is not an ISO 8601 duration (e.g. P1D, PT30M, -P1M)`);
    return describeDate(addDuration(date, duration, zone), zone);
  },
  outputFields: dateOutput,
  sampleOutput: dateSample,
});

interface Waiting {
  until: string;
  started_at: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const wait = defineAction({
  title: 'Wait',
  description: 'Waits before the next step. Long waits suspend the job instead of holding a worker.',
  help: `Up to ${SLEEP_LIMIT_SECONDS} seconds the step sleeps; longer, the job is suspended and resumes when the time has come (at least WEFT_REINVOKE_MIN_SECONDS later, 60 s by default).`,
  inputFields: [
    { name: 'duration', type: 'integer', hint: 'How long' },
    {
      name: 'unit',
      controlType: 'select',
      pickList: [
        ['Seconds', 'seconds'],
        ['Minutes', 'minutes'],
        ['Hours', 'hours'],
        ['Days', 'days'],
      ],
      optional: true,
      default: 'seconds',
    },
  ] as const,
  execute: async (ctx) => {
    const now = ctx.now();
    let waiting = ctx.continue as Waiting | undefined;
    if (!waiting) {
      const unit = ctx.input.unit ?? 'seconds';
      if (!Object.hasOwn(UNIT_SECONDS, unit))
        ctx.error(`input.unit must be one of ${Object.keys(UNIT_SECONDS).join(', ')}`);
      const seconds = ctx.input.duration * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
      if (!(seconds >= 0) || seconds > MAX_WAIT_SECONDS) ctx.error('input.duration must be between 0 and 30 days');
      waiting = { until: new Date(now.getTime() + seconds * 1000).toISOString(), started_at: now.toISOString() };
    }
    const left = (Date.parse(waiting.until) - now.getTime()) / 1000;
    if (left > SLEEP_LIMIT_SECONDS) ctx.reinvokeAfter({ seconds: Math.ceil(left), continue: waiting });
    if (left > 0) await sleep(left * 1000);
    const done = new Date(Math.max(ctx.now().getTime(), Date.parse(waiting.until)));
    return {
      started_at: waiting.started_at,
      finished_at: done.toISOString(),
      waited_seconds: Math.round((done.getTime() - Date.parse(waiting.started_at)) / 1000),
      suspended: ctx.continue !== undefined && ctx.continue !== null,
    };
  },
  outputFields: [
    { name: 'started_at', type: 'date_time' },
    { name: 'finished_at', type: 'date_time' },
    { name: 'waited_seconds', type: 'integer' },
    { name: 'suspended', type: 'boolean', hint: 'The job was suspended during the wait (no worker held)' },
  ],
  sampleOutput: {
    started_at: '2026-12-07T08:00:00.000Z',
    finished_at: '2026-12-07T08:05:00.000Z',
    waited_seconds: 300,
    suspended: true,
  },
});

export default defineConnector({
  title: 'Util',
  description: 'Log, compose JSON, parse and format dates, wait (built in).',
  actions: {
    log,
    compose_json: composeJson,
    parse_date: parseDate,
    format_date: formatDateAction,
    add_duration: addDurationAction,
    wait,
  },
});
