/**
 * `weft exec` of trigger operations: every webhook flag reaches the lambda, and polls with
 * --follow / --seen go through the trigger runner (dedup across pages and runs).
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, runWeft, startServer, type TestServer, writeIn } from './test-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}/connector.ts`, import.meta.url));
const HOOKS = fixture('hooks');
const BASIC = fixture('basic');
const SECRET = 'whsec-exec-0123456789';

let api: TestServer;
let dir: string;
let settings: string;

const file = (name: string, content: unknown) => writeIn(dir, name, content);

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    if (req.method === 'POST' && req.url === '/hooks') return json(res, 201, { id: 'h-77', ...JSON.parse(body) });
    if (req.method === 'DELETE' && req.url === '/hooks/h-77') return json(res, 200, { deleted: true });
    if (req.method === 'POST' && req.url === '/hooks/h-77/renew') return json(res, 200, { id: 'h-77', renewed: true });
    json(res, 404, { error: 'unknown' });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-exec-triggers-'));
  settings = await file('settings.yaml', `base_url: ${api.url}\nwebhook_secret: ${SECRET}\naccount_id: acct-1\n`);
});

afterAll(async () => {
  await api.close();
});

function exec(connector: string, path: string, ...flags: string[]) {
  return execWeft(connector, settings, path, ...flags);
}

/** `webhook_notification` of a HOOKS trigger, with the raw body and the headers from these files. */
function notify(trigger: string, rawBody: string, headers: string) {
  return exec(
    HOOKS,
    `triggers.${trigger}.webhook_notification`,
    `--webhook-raw-body=${rawBody}`,
    `--webhook-headers=${headers}`,
  );
}

describe('weft exec: webhook flags', () => {
  test('webhook_subscribe gets --webhook-url and --input; unsubscribe and refresh get --webhook-subscribe-output', async () => {
    const input = await file('sub-input.json', { project: 'apollo' });
    const sub = await exec(
      HOOKS,
      'triggers.issue.webhook_subscribe',
      '--webhook-url=https://hooks.example/x',
      `--input=${input}`,
    );
    expect(sub.stderr).toBe('');
    expect(JSON.parse(sub.stdout)).toEqual({ id: 'h-77' });
    expect(JSON.parse(api.requests.at(-1)!.body)).toEqual({ url: 'https://hooks.example/x', project: 'apollo' });

    const saved = await file('subscription.json', JSON.parse(sub.stdout));
    const unsub = await exec(HOOKS, 'triggers.issue.webhook_unsubscribe', `--webhook-subscribe-output=${saved}`);
    expect(JSON.parse(unsub.stdout)).toEqual({ deleted: true });
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/hooks/h-77' });
    const refresh = await exec(HOOKS, 'triggers.issue.webhook_refresh', `--webhook-subscribe-output=${saved}`);
    expect(JSON.parse(refresh.stdout)).toEqual({ id: 'h-77', renewed: true });
  });

  test('--webhook-url must be absolute', async () => {
    const result = await exec(HOOKS, 'triggers.issue.webhook_subscribe', '--webhook-url=/relative');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--webhook-url must be an absolute http\(s\) URL/);
  });

  test('webhook_notification verifies the signature over --webhook-raw-body with --webhook-headers', async () => {
    // Spacing that JSON.stringify would not reproduce: the signature covers these exact bytes.
    const body = '{ "issues": [ {"id": 1, "updated_at": "t1"}, {"id": 2, "updated_at": "t2"} ] }';
    const raw = await file('raw-body.json', body);
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const headers = await file('headers.json', { 'Content-Type': 'application/json', 'X-Signature': signature });
    const ok = await notify('issue', raw, headers);
    expect(ok.stderr).toBe('');
    // The output is what the lambda returned (an array here).
    expect(JSON.parse(ok.stdout)).toEqual([
      { id: 1, updated_at: 't1' },
      { id: 2, updated_at: 't2' },
    ]);
    const forged = await file('forged.json', { 'content-type': 'application/json', 'x-signature': 'sha256=00' });
    const bad = await notify('issue', raw, forged);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('weft: Invalid webhook signature\n');
  });

  test('--webhook-payload alone: its file text is the raw body, so a signature over it verifies', async () => {
    const body = '{"issue":{"id":5,"updated_at":"t5"}}';
    const payload = await file('payload.json', body);
    const headers = await file('h2.json', {
      'x-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    });
    const ok = await exec(
      HOOKS,
      'triggers.issue.webhook_notification',
      `--webhook-payload=${payload}`,
      `--webhook-headers=${headers}`,
    );
    expect(JSON.parse(ok.stdout)).toEqual({ id: 5, updated_at: 't5' });
  });

  test('a challenge handshake: the reply shows under --verbose', async () => {
    const payload = await file('challenge.json', { challenge: 'abc' });
    const result = await exec(
      HOOKS,
      'triggers.issue.webhook_notification',
      `--webhook-payload=${payload}`,
      '--verbose',
    );
    expect(JSON.parse(result.stdout)).toBeNull();
    expect(result.stderr).toMatch(/webhook reply: 200 \{"content-type":"application\/json"\} \{"challenge":"abc"\}/);
  });

  test('--webhook-params reach webhook_keys and the notification; static keys from the connection', async () => {
    const params = await file('params.json', { account: 'acct-1' });
    const key = await exec(HOOKS, 'webhook_keys', `--webhook-params=${params}`);
    expect(JSON.parse(key.stdout)).toBe('acct-1');
    const mine = await exec(HOOKS, 'triggers.account_event.webhook_key');
    expect(JSON.parse(mine.stdout)).toBe('acct-1');
    const payload = await file('acct.json', { type: 'paid' });
    const event = await exec(
      HOOKS,
      'triggers.account_event.webhook_notification',
      `--webhook-payload=${payload}`,
      `--webhook-params=${params}`,
    );
    expect(JSON.parse(event.stdout)).toEqual({ type: 'paid', account: 'acct-1' });
  });

  test('a raw trigger gets the body unparsed; a form body is parsed by content type', async () => {
    const raw = await file('raw.txt', 'a=1&b=2');
    const rawResult = await exec(HOOKS, 'triggers.raw_text.webhook_notification', `--webhook-raw-body=${raw}`);
    expect(JSON.parse(rawResult.stdout)).toEqual({ text: 'a=1&b=2', length: 7 });
    const form = await file('form-headers.json', { 'content-type': 'application/x-www-form-urlencoded' });
    const parsed = await notify('account_event', raw, form);
    expect(JSON.parse(parsed.stdout)).toEqual({ a: '1', b: '2' });
  });

  test('invalid JSON under a JSON content type, and an unreadable payload file', async () => {
    const raw = await file('broken.txt', '{"a":');
    const headers = await file('json-headers.json', { 'content-type': 'application/json' });
    const result = await notify('account_event', raw, headers);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The webhook body is not valid JSON/);
    const payload = await file('broken-payload.json', '{"a":');
    const bad = await exec(HOOKS, 'triggers.account_event.webhook_notification', `--webhook-payload=${payload}`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--webhook-payload=.*not valid JSON/);
  });
});

describe('weft exec: polls through the runner', () => {
  test('--follow pages through and prints every event once with the final closure', async () => {
    const result = await execWeft(BASIC, settings, 'triggers.pages.poll', '--follow');
    expect(JSON.parse(result.stdout)).toEqual({
      events: [{ id: 0 }, { id: 1 }, { id: 2 }],
      nextPoll: 3,
      canPollMore: false,
    });
  });

  test('--seen keeps signatures between runs: the second run prints no event again', async () => {
    const seen = join(dir, 'state', 'seen.jsonl');
    const args = [
      'exec',
      'triggers.pages.poll',
      `--connector=${BASIC}`,
      `--settings=${settings}`,
      '--follow',
      `--seen=${seen}`,
    ];
    const first = await runWeft(args);
    expect(JSON.parse(first.stdout).events).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
    expect((await readFile(seen, 'utf8')).trim().split('\n')).toEqual(['"0"', '"1"', '"2"']);
    const second = await runWeft(args);
    expect(JSON.parse(second.stdout)).toEqual({ events: [], nextPoll: 3, canPollMore: false });
    expect(second.stderr).toMatch(/skipped 3 event\(s\) already seen/);
    // Without --follow: one poll, new events only.
    const input = await file('more-pages.json', { pages: 5 });
    const closure = await file('closure-3.json', 3);
    const single = await runWeft([...args.filter((a) => a !== '--follow'), `--input=${input}`, `--closure=${closure}`]);
    expect(JSON.parse(single.stdout)).toEqual({ events: [{ id: 3 }], nextPoll: 4, canPollMore: true });
  });

  test('--max-steps stops a long cycle with a note', async () => {
    const input = await file('many-pages.json', { pages: 10 });
    const result = await execWeft(
      BASIC,
      settings,
      'triggers.pages.poll',
      `--input=${input}`,
      '--follow',
      '--max-steps=2',
    );
    expect(JSON.parse(result.stdout)).toEqual({ events: [{ id: 0 }, { id: 1 }], nextPoll: 2, canPollMore: true });
    expect(result.stderr).toMatch(/stopped after 2 polls \(--max-steps\)/);
  });

  test('--seen on anything but a poll is a usage error', async () => {
    const result = await execWeft(BASIC, settings, 'pick_lists.colors', '--seen=x');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--seen applies to polls only/);
  });
});
