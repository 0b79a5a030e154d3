/**
 * `weft listen` against a fake API that really registers the hook URL (after a challenge
 * handshake), delivers signed events to it, and records the unsubscribe.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, runWeft, startServer, startWeft, type TestServer } from './test-helpers.js';

const HOOKS = fileURLToPath(new URL('./__fixtures__/hooks/connector.ts', import.meta.url));
const SECRET = 'whsec-fixture-0123456789';

let api: TestServer;
let dir: string;
let settings: string;
const hooks = new Map<string, { url: string; project: string }>();
const removed: string[] = [];
let nextHook = 1;

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function deliver(url: string, payload: unknown, secret = SECRET): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(body, secret) },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  api = await startServer(async (req, res, body) => {
    if (req.method === 'POST' && req.url === '/hooks') {
      const { url, project } = JSON.parse(body);
      const id = `h${nextHook++}`;
      // Like many APIs: prove the URL answers before registering it.
      const check = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challenge: `ch-${id}` }),
      }).catch(() => undefined);
      const echoed = (await check?.json().catch(() => ({}))) as { challenge?: string } | undefined;
      if (check?.status !== 200 || echoed?.challenge !== `ch-${id}`) {
        return json(res, 400, { error: 'handshake failed' });
      }
      hooks.set(id, { url, project });
      return json(res, 201, { id, url });
    }
    const del = /^\/hooks\/(\w+)$/.exec(req.url ?? '');
    if (req.method === 'DELETE' && del) {
      removed.push(del[1]);
      hooks.delete(del[1]);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/emit') {
      const statuses = [];
      for (const hook of hooks.values()) statuses.push(await deliver(hook.url, JSON.parse(body)));
      return json(res, 200, { statuses });
    }
    json(res, 404, { error: 'unknown' });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-listen-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(
    settings,
    `base_url: ${api.url}\napi_key: sk-fixture-0123456789\nwebhook_secret: ${SECRET}\naccount_id: acct-42\n`,
  );
});

afterAll(async () => {
  await api.close();
});

const issue = (id: number, updated_at = '2026-03-01T10:00:00Z') => ({ id, title: `Issue ${id}`, updated_at });

describe('weft listen: dynamic webhooks', () => {
  test('subscribes, prints delivered events as JSON lines, rejects bad requests, unsubscribes on SIGINT', async () => {
    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ project: 'weft' }));
    const weft = startWeft([
      'listen',
      HOOKS,
      'triggers.issue',
      `--settings=${settings}`,
      `--input=${input}`,
      '--max-body=2kb',
    ]);
    try {
      const [, url] = await weft.waitFor(/listening on (\S+)/);
      await weft.waitFor(/waiting for requests/);
      const [, hookId] =
        weft.stderr().match(/subscribed http:\/\/127\.0\.0\.1:\d+\/webhooks\/issue: \{"id":"(h\d+)"\}/) ?? [];
      expect(hookId).toBeDefined();
      expect([...hooks.values()]).toEqual([{ url, project: 'weft' }]);

      // The API delivers two events in one request, then one of them again (a retry).
      const emit = await fetch(`${api.url}/emit`, {
        method: 'POST',
        body: JSON.stringify({ issues: [issue(1), issue(2)] }),
      });
      expect(await emit.json()).toEqual({ statuses: [200] });
      await weft.waitFor(/"id":2/, { stream: 'stdout' });
      expect(await deliver(url, { issue: issue(2) })).toBe(200);
      expect(await deliver(url, { issue: issue(3) })).toBe(200);
      await weft.waitFor(/"id":3/, { stream: 'stdout' });
      const lines = weft
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([issue(1), issue(2), issue(3)]);
      expect(weft.stderr()).toMatch(/1 event\(s\) already seen/);

      // A forged signature: 401; no signature at all: 401 too.
      expect(await deliver(url, { issue: issue(9) }, 'wrong-secret')).toBe(401);
      const unsigned = await fetch(url, { method: 'POST', body: JSON.stringify({ issue: issue(9) }) });
      expect(unsigned.status).toBe(401);
      expect(await unsigned.json()).toEqual({
        error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: 'Invalid webhook signature' },
      });
      // Invalid JSON: 400. A body over --max-body: 413.
      const broken = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":',
      });
      expect(broken.status).toBe(400);
      const big = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ issue: { id: 10, text: 'x'.repeat(4096) } }),
      }).catch((error) => ({ status: `failed: ${error}` }));
      expect(big.status).toBe(413);
      await weft.waitFor(/answered 413/);
      expect(weft.stderr()).toMatch(/answered 401: Invalid webhook signature/);
      expect(weft.stderr()).toMatch(/answered 400: The webhook body is not valid JSON/);

      // Still alive after all that.
      expect(await deliver(url, { issue: issue(4) })).toBe(200);
      await weft.waitFor(/"id":4/, { stream: 'stdout' });
      expect(weft.stdout()).not.toContain('"id":9');

      const code = await weft.stop('SIGINT');
      expect(code).toBe(0);
      expect(weft.stderr()).toMatch(/unsubscribed/);
      expect(removed).toEqual([hookId]);
      expect(hooks.size).toBe(0);
      // Secrets of the connection never reach the terminal.
      expect(weft.stderr() + weft.stdout()).not.toContain(SECRET);
    } finally {
      await weft.stop('SIGKILL');
    }
  });

  test('--public-url is what gets subscribed; a failed subscription is one clear error', async () => {
    // The public URL forwards to nowhere here, so the fake API's handshake fails: subscribing fails cleanly.
    const nowhere = await startServer(() => {});
    await nowhere.close();
    const weft = startWeft(['listen', HOOKS, 'issue', `--settings=${settings}`, `--public-url=${nowhere.url}/tunnel`]);
    const code = await weft.exited;
    expect(code).toBe(1);
    expect(weft.stderr()).toMatch(/POST .*\/hooks failed with HTTP 400.*handshake failed/);
    expect(weft.stderr()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('weft listen: static webhooks', () => {
  test('prints the URL and key, routes requests by key, exits 0 on SIGTERM', async () => {
    const weft = startWeft(['listen', HOOKS, 'triggers.account_event', `--settings=${settings}`]);
    try {
      const [, url] = await weft.waitFor(/listening on (\S+)/);
      await weft.waitFor(/waiting for requests/);
      expect(weft.stderr()).toMatch(/static webhook: register http:\/\/127\.0\.0\.1:\d+\/webhooks\/account_event/);
      expect(weft.stderr()).toContain('"acct-42"');
      const mine = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-account-id': 'acct-42' },
        body: JSON.stringify({ type: 'paid', amount: 5 }),
      });
      expect(mine.status).toBe(202);
      const byParam = await fetch(`${url}?account=acct-42`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=refund&amount=2',
      });
      expect(byParam.status).toBe(202);
      const other = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-account-id': 'acct-7' },
        body: JSON.stringify({ type: 'paid', amount: 9 }),
      });
      expect(other.status).toBe(200);
      await weft.waitFor(/"acct-7" is not "acct-42"; ignored/);
      await weft.waitFor(/refund/, { stream: 'stdout' });
      expect(
        weft
          .stdout()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([
        { type: 'paid', amount: 5, account: 'acct-42' },
        { type: 'refund', amount: '2', account: 'acct-42' },
      ]);
      expect(await weft.stop('SIGTERM')).toBe(0);
    } finally {
      await weft.stop('SIGKILL');
    }
  });
});

describe('weft listen: usage errors', () => {
  test('an unknown trigger, a polling-only trigger, a bad size', async () => {
    const basic = fileURLToPath(new URL('./__fixtures__/basic/connector.ts', import.meta.url));
    const unknown = await runWeft(['listen', HOOKS, 'triggers.nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /Unknown trigger "nope". Triggers of this connector: issue, account_event, raw_text/,
    );
    const polling = await runWeft(['listen', basic, 'triggers.pages']);
    expect(polling.code).toBe(2);
    expect(polling.stderr).toMatch(/has no webhookNotification.*weft exec triggers\.pages\.poll --follow/);
    const size = await runWeft(['listen', HOOKS, 'issue', '--max-body=lots']);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/--max-body must be a size/);
  });
});
