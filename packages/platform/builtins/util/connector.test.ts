/**
 * The util actions through `weft exec` (log, compose JSON, dates, short and long waits), and in
 * a real `weft serve`: a long wait suspends the job (no worker held) and resumes it later.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { apiCall, runWeft, startWeft } from '../../../cli/src/test-helpers.js';

const FOLDER = fileURLToPath(new URL('.', import.meta.url));
const BUILTINS = fileURLToPath(new URL('..', import.meta.url));

async function exec(action: string, input: unknown, ...flags: string[]) {
  const result = await runWeft([
    'exec',
    `actions.${action}.execute`,
    `--connector=${FOLDER}`,
    `--input=${JSON.stringify(input)}`,
    ...flags,
  ]);
  return { ...result, output: result.code === 0 ? JSON.parse(result.stdout) : undefined };
}

test('log writes the message as a log line and as the step’s output', async () => {
  const run = await exec('log', { message: 'Order 1042 synced', level: 'warn' }, '--verbose');
  expect(run.output).toMatchObject({ message: 'Order 1042 synced', level: 'warn' });
  expect(run.stderr).toMatch(/\[warn\] Order 1042 synced/);
});

test('compose JSON parses text, checks it against a schema, and names what is wrong', async () => {
  const ok = await exec('compose_json', { json: '{"id": 42, "tags": ["a"]}', schema: '{"required": ["id"]}' });
  expect(ok.output).toEqual({ value: { id: 42, tags: ['a'] }, text: '{"id":42,"tags":["a"]}' });
  const broken = await exec('compose_json', { json: '{"id": 42,' });
  expect(broken.code).not.toBe(0);
  expect(broken.stderr).toMatch(/input\.json is not valid JSON/);
  const mismatch = await exec('compose_json', {
    json: '{"id": "x"}',
    schema: '{"properties": {"id": {"type": "integer"}}}',
  });
  expect(mismatch.stderr).toMatch(/does not match the schema: value\.id/);
});

describe('dates', () => {
  test('parse with a format in a time zone, or ISO 8601', async () => {
    const paris = await exec('parse_date', {
      text: '07/12/2026 09:30',
      format: 'dd/MM/yyyy HH:mm',
      time_zone: 'Europe/Paris',
    });
    expect(paris.output).toMatchObject({
      iso: '2026-12-07T08:30:00.000Z',
      local: '2026-12-07T09:30:00.000+01:00',
      epoch_seconds: 1796632200,
      offset_minutes: 60,
    });
    const named = await exec('parse_date', {
      text: 'Mon, 7 Dec 2026 3:05 PM -05:00',
      format: 'EEE, d MMM yyyy h:mm a XXX',
    });
    expect(named.output.iso).toBe('2026-12-07T20:05:00.000Z');
    const iso = await exec('parse_date', { text: '2026-03-29T02:30', time_zone: 'Europe/Paris' });
    // 02:30 does not exist that night in Paris (clocks go to 03:00): it moves forward.
    expect(iso.output.local).toBe('2026-03-29T03:30:00.000+02:00');
    const wrong = await exec('parse_date', { text: '2026/12/07', format: 'dd.MM.yyyy' });
    expect(wrong.stderr).toMatch(/does not match the format "dd\.MM\.yyyy"/);
    const zone = await exec('parse_date', { text: '2026-12-07', time_zone: 'Europe/Pariss' });
    expect(zone.stderr).toMatch(/unknown time zone "Europe\/Pariss"/);
  });

  test('format by a pattern in a time zone', async () => {
    const run = await exec('format_date', {
      date: '2026-12-07T08:00:00Z',
      pattern: "EEEE d MMMM yyyy 'at' HH:mm XXX",
      time_zone: 'America/New_York',
    });
    expect(run.output.text).toBe('Monday 7 December 2026 at 03:00 -05:00');
  });

  test('add and subtract durations on the zone’s calendar', async () => {
    // A day across the spring DST change keeps the time of day (23 hours elapse).
    const day = await exec('add_duration', {
      date: '2026-03-28T12:00:00+01:00',
      duration: 'P1D',
      time_zone: 'Europe/Paris',
    });
    expect(day.output.local).toBe('2026-03-29T12:00:00.000+02:00');
    const month = await exec('add_duration', { date: '2026-03-31T10:00:00Z', duration: '-P1M' });
    expect(month.output.iso).toBe('2026-02-28T10:00:00.000Z');
    const time = await exec('add_duration', { date: '2026-12-07T23:30:00Z', duration: 'PT1H45M' });
    expect(time.output.iso).toBe('2026-12-08T01:15:00.000Z');
    const bad = await exec('add_duration', { date: '2026-12-07T23:30:00Z', duration: '90 minutes' });
    expect(bad.stderr).toMatch(/not an ISO 8601 duration/);
  });
});

test('a short wait sleeps in the step; a long one suspends (weft exec prints reinvokeAfter)', async () => {
  const started = Date.now();
  const short = await exec('wait', { duration: 1 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(short.output).toMatchObject({ waited_seconds: 1, suspended: false });
  const long = await exec('wait', { duration: 2, unit: 'hours' });
  expect(long.output.reinvokeAfter.seconds).toBe(7200);
  expect(long.output.reinvokeAfter.continue.until).toBeDefined();
});

test('in weft serve a long wait suspends the job, holding no worker, and the job finishes after it', async () => {
  const token = 'util-test-token-0123456789';
  const call = apiCall(token);
  const home = mkdtempSync(join(tmpdir(), 'weft-util-'));
  const weft = startWeft(['serve', '--port', '0', '--connectors', BUILTINS], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: token, WEFT_REINVOKE_MIN_SECONDS: '1' },
  });
  try {
    const [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    await call(base, 'POST', '/api/connections', { name: 'open', connector: 'webhook', values: {} });
    const recipe = await call(base, 'POST', '/api/recipes', {
      name: 'wait then log',
      trigger: { connector: 'webhook', connection: 'open', trigger: 'catch_hook', input: {} },
      steps: [
        { id: 'pause', connector: 'util', action: 'wait', input: { duration: 31 } },
        { id: 'after', connector: 'util', action: 'log', input: { message: 'done waiting' } },
      ],
    });
    await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
    expect((await fetch(recipe.webhookUrl, { method: 'POST', body: '{}' })).status).toBe(200);
    const job = async () => {
      const [item] = (await call(base, 'GET', `/api/jobs?recipeId=${recipe.id}`)).items;
      return item ? call(base, 'GET', `/api/jobs/${item.id}`) : undefined;
    };
    const poll = async (what: string, check: (j: any) => boolean, ms: number) => {
      const end = Date.now() + ms;
      for (;;) {
        const j = await job();
        if (j && check(j)) return j;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(j)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await poll('the job to suspend', (j) => j.status === 'suspended', 15_000);
    const done = await poll('the job to finish', (j) => j.status === 'succeeded', 60_000);
    expect(done.steps.map((s: { id: string }) => s.id)).toEqual(['pause', 'after']);
    expect(done.steps[0].output).toMatchObject({ waited_seconds: 31, suspended: true });
    expect(done.steps[1].output).toMatchObject({ message: 'done waiting' });
    expect(done.steps[1].logs).toMatchObject([{ level: 'info', message: 'done waiting' }]);
  } finally {
    await weft.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}, 90_000);
