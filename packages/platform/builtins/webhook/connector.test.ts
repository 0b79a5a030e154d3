/**
 * The webhook trigger in a real `weft serve`: JSON, form and XML POSTs at the recipe's URL become
 * jobs; with a signing secret, good signatures pass and bad or missing ones are answered 401 and
 * make no job; the reply is the recipe's; the secret shows nowhere. Also `weft exec` without a
 * secret.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCall, type RunningWeft, runWeft, startWeft } from '../../../cli/src/test-helpers.js';

const FOLDER = fileURLToPath(new URL('.', import.meta.url));
const BUILTINS = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'webhook-test-token-0123456789';
const SECRET = 'whsec-7f3a9c1e5b2d8a6f4e0c';

const call = apiCall(TOKEN);

test('weft exec: without a signing secret any request passes; XML and forms are parsed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-webhook-exec-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const xml = await runWeft([
    'exec',
    'triggers.catch_hook.webhook_notification',
    `--connector=${FOLDER}`,
    `--webhook-raw-body=${file('order.xml', '<order id="7"><item>pen</item></order>')}`,
    '--webhook-headers={"content-type":"application/xml","authorization":"Bearer x"}',
  ]);
  expect(xml.stderr).toBe('');
  const event = JSON.parse(xml.stdout);
  expect(event).toMatchObject({
    body: { order: [{ '@id': '7', item: [{ '#text': 'pen' }] }] },
    content_type: 'application/xml',
    headers: { 'content-type': 'application/xml' },
  });
  expect(event.headers.authorization).toBeUndefined();
  const form = await runWeft([
    'exec',
    'triggers.catch_hook.webhook_notification',
    `--connector=${FOLDER}`,
    `--webhook-raw-body=${file('form.txt', 'a=1&b=two&b=three')}`,
    '--webhook-headers={"content-type":"application/x-www-form-urlencoded"}',
  ]);
  expect(JSON.parse(form.stdout).body).toEqual({ a: '1', b: ['two', 'three'] });
  rmSync(dir, { recursive: true, force: true });
});

test('weft exec: a base64 HMAC-SHA512 signature is checked with the secret of the settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-webhook-exec-'));
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, `signing_secret: ${SECRET}\n`);
  const body = '{"id":1}';
  writeFileSync(join(dir, 'body.json'), body);
  const input = JSON.stringify({ signature_header: 'x-sig', algorithm: 'sha512', encoding: 'base64' });
  const run = (signature: string) =>
    runWeft([
      'exec',
      'triggers.catch_hook.webhook_notification',
      `--connector=${FOLDER}`,
      `--settings=${settings}`,
      `--input=${input}`,
      `--webhook-raw-body=${join(dir, 'body.json')}`,
      `--webhook-headers=${JSON.stringify({ 'content-type': 'application/json', 'x-sig': signature })}`,
    ]);
  const good = await run(createHmac('sha512', SECRET).update(body).digest('base64'));
  expect(good.stderr).toBe('');
  expect(JSON.parse(good.stdout).body).toEqual({ id: 1 });
  const bad = await run(createHmac('sha512', 'other').update(body).digest('base64'));
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/not signed with the connection’s signing secret/);
  expect(bad.stdout + bad.stderr).not.toContain(SECRET);
  rmSync(dir, { recursive: true, force: true });
});

describe('in weft serve', () => {
  let home: string;
  let weft: RunningWeft;
  let base: string;
  let recipe: { id: string; webhookUrl: string };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'weft-webhook-'));
    weft = startWeft(['serve', '--port', '0', '--connectors', BUILTINS], {
      env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
    });
    [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    await call(base, 'POST', '/api/connections', {
      name: 'signed',
      connector: 'webhook',
      values: { signing_secret: SECRET },
    });
    recipe = await call(base, 'POST', '/api/recipes', {
      name: 'signed hook',
      trigger: {
        connector: 'webhook',
        connection: 'signed',
        trigger: 'catch_hook',
        input: {
          signature_header: 'x-hub-signature-256',
          prefix: 'sha256=',
          response_status: 202,
          response_body: '{"received":true}',
        },
      },
      steps: [
        {
          id: 'note',
          connector: 'util',
          action: 'log',
          input: { message: '="got " & $string(trigger.body.order)' },
        },
      ],
    });
    await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
  }, 40_000);

  afterAll(async () => {
    await weft?.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const sign = (body: string, algorithm = 'sha256', secret = SECRET) =>
    `sha256=${createHmac(algorithm, secret).update(body).digest('hex')}`;

  async function post(body: string, headers: Record<string, string>) {
    const res = await fetch(recipe.webhookUrl, { method: 'POST', body, headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  async function jobs(): Promise<any[]> {
    return (await call(base, 'GET', `/api/jobs?recipeId=${recipe.id}&limit=100`)).items;
  }

  test('signed JSON, form and XML requests become jobs, answered with the recipe’s reply', async () => {
    const json = JSON.stringify({ order: 1042 });
    const answer = await post(json, { 'content-type': 'application/json', 'x-hub-signature-256': sign(json) });
    expect(answer).toMatchObject({ status: 202, text: '{"received":true}' });
    expect(answer.type).toMatch(/^application\/json\b/);
    const form = 'order=1043&paid=yes';
    expect(
      (await post(form, { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': sign(form) }))
        .status,
    ).toBe(202);
    const xml = '<?xml version="1.0"?><event><order>1044</order></event>';
    expect((await post(xml, { 'content-type': 'text/xml', 'x-hub-signature-256': sign(xml) })).status).toBe(202);

    let list: any[] = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      list = await jobs();
      if (list.length === 3 && list.every((j) => j.status === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bodies = list.map((j) => j.trigger.body);
    expect(bodies).toEqual(
      expect.arrayContaining([
        { order: 1042 },
        { order: '1043', paid: 'yes' },
        { event: [{ order: [{ '#text': '1044' }] }] },
      ]),
    );
    const first = list.find((j) => j.trigger.body.order === 1042);
    expect(first.status).toBe('succeeded');
    const detail = await call(base, 'GET', `/api/jobs/${first.id}`);
    expect(detail.steps[0].output).toMatchObject({ message: 'got 1042', level: 'info' });
  });

  test('a bad or missing signature is refused with 401 and makes no job; the secret shows nowhere', async () => {
    const before = (await jobs()).length;
    const body = JSON.stringify({ order: 666 });
    const wrongSecret = await post(body, {
      'content-type': 'application/json',
      'x-hub-signature-256': sign(body, 'sha256', 'not-the-secret'),
    });
    expect(wrongSecret.status).toBe(401);
    const tampered = await post(JSON.stringify({ order: 667 }), {
      'content-type': 'application/json',
      'x-hub-signature-256': sign(body),
    });
    expect(tampered.status).toBe(401);
    const unsigned = await post(body, { 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.text).not.toContain(SECRET);
    await new Promise((r) => setTimeout(r, 300));
    const list = await jobs();
    expect(list).toHaveLength(before);

    const details = await Promise.all(list.map((j) => call(base, 'GET', `/api/jobs/${j.id}`)));
    const connection = await call(base, 'GET', '/api/connections/signed');
    const seen = JSON.stringify([list, details, connection]) + weft.stdout() + weft.stderr();
    expect(seen).not.toContain(SECRET);
  });
});
