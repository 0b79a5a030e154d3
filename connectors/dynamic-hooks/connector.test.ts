/**
 * Tasker's dynamic webhooks against a fake Tasker that really registers the receiver's URL
 * (after a challenge it must echo), signs each delivery, and deletes the registration.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { execute, loadConnectorFile, runWebhookNotification } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, startServer, startWeft, type TestServer } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const API_KEY = 'tk-live-0123456789';
const SIGNING_SECRET = 'tk-whsec-abcdef0123456789';

interface Hook {
  id: string;
  target: string;
  project_id: number;
  events: string[];
  expires_at: string;
}

const hooks = new Map<string, Hook>();
const deleted: string[] = [];
let api: TestServer;
let connector: ConnectorDefinition;
let connection: Record<string, unknown>;

function signed(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-tasker-timestamp': String(timestamp),
    'x-tasker-signature': `v1=${signature}`,
  };
}

/** Tasker delivering events to every hook of the project that wants them; returns the statuses. */
async function emit(projectId: number, events: unknown[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const hook of hooks.values()) {
    if (hook.project_id !== projectId) continue;
    const body = JSON.stringify({ events });
    const res = await fetch(hook.target, { method: 'POST', headers: signed(body), body });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

function event(n: number, type = 'task.created') {
  return {
    id: `ev_${n}`,
    type,
    task: { id: n, title: `Task ${n}`, done: type === 'task.completed' },
    occurred_at: '2026-03-01T10:00:00.000Z',
  };
}

beforeAll(async () => {
  api = await startServer(async (req, res, body) => {
    if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { error: 'invalid api key' });
    if (req.method === 'POST' && req.url === '/webhooks') {
      const { target, project_id, events } = JSON.parse(body);
      if (typeof target !== 'string' || typeof project_id !== 'number' || !Array.isArray(events)) {
        return json(res, 400, { error: 'target, project_id and events are required' });
      }
      const challenge = randomUUID();
      const answer = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'url_verification', challenge }),
      }).catch(() => undefined);
      const echoed = (await answer?.json().catch(() => undefined)) as { challenge?: string } | undefined;
      if (answer?.status !== 200 || echoed?.challenge !== challenge) {
        return json(res, 422, { error: `the target did not echo the challenge` });
      }
      const hook = {
        id: `wh_${hooks.size + deleted.length + 1}`,
        target,
        project_id,
        events,
        expires_at: '2026-04-01T00:00:00Z',
      };
      hooks.set(hook.id, hook);
      return json(res, 201, hook);
    }
    const renew = /^\/webhooks\/(\w+)\/renew$/.exec(req.url ?? '');
    if (req.method === 'POST' && renew && hooks.has(renew[1])) {
      const hook = hooks.get(renew[1])!;
      hook.expires_at = '2026-05-01T00:00:00Z';
      return json(res, 200, hook);
    }
    const one = /^\/webhooks\/(\w+)$/.exec(req.url ?? '');
    if (req.method === 'DELETE' && one && hooks.has(one[1])) {
      hooks.delete(one[1]);
      deleted.push(one[1]);
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { error: 'not found' });
  });
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  connection = { base_url: api.url, api_key: API_KEY, signing_secret: SIGNING_SECRET };
});

afterAll(async () => {
  await api.close();
});

describe('task_event with weft listen', () => {
  test('registers (echoing the challenge), prints signed events once, unsubscribes on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-tasker-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(settings, `base_url: ${api.url}\napi_key: ${API_KEY}\nsigning_secret: ${SIGNING_SECRET}\n`);
    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ project_id: 7 }));
    const weft = startWeft(['listen', CONNECTOR, 'triggers.task_event', `--settings=${settings}`, `--input=${input}`]);
    try {
      const [, url] = await weft.waitFor(/listening on (\S+)/);
      const [, id] = await weft.waitFor(/subscribed \S+: \{"id":"(wh_\d+)"/);
      await weft.waitFor(/waiting for requests/);
      expect(hooks.get(id)).toMatchObject({ target: url, project_id: 7 });

      expect(await emit(7, [event(1), event(2, 'task.completed')])).toEqual([200]);
      await weft.waitFor(/ev_2/, { stream: 'stdout' });
      // Tasker retries a delivery it thinks failed: the event is not printed again.
      expect(await emit(7, [event(2, 'task.completed'), event(3)])).toEqual([200]);
      await weft.waitFor(/ev_3/, { stream: 'stdout' });
      // A forger without the secret, and a replay of an old delivery.
      const body = JSON.stringify({ events: [event(66)] });
      const forged = await fetch(url, { method: 'POST', headers: signed(body, undefined, 'guess'), body });
      expect(forged.status).toBe(401);
      const old = Math.floor(Date.now() / 1000) - 3600;
      const replay = await fetch(url, { method: 'POST', headers: signed(body, old), body });
      expect(replay.status).toBe(401);

      expect(await weft.stop('SIGINT')).toBe(0);
      expect(deleted).toContain(id);
      expect(hooks.has(id)).toBe(false);
      const lines = weft
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((e) => e.id)).toEqual(['ev_1', 'ev_2', 'ev_3']);
      expect(lines[1]).toEqual(event(2, 'task.completed'));
      expect(weft.stderr()).toMatch(/answered 401: The delivery is not signed by Tasker/);
      expect(weft.stderr()).not.toContain(SIGNING_SECRET);
    } finally {
      await weft.stop('SIGKILL');
    }
  });
});

describe('task_event through the SDK', () => {
  test('the handshake is answered with the challenge and creates no event', async () => {
    const outcome = await runWebhookNotification({
      connector,
      trigger: 'task_event',
      connection,
      input: { project_id: 7 },
      request: { payload: { type: 'url_verification', challenge: 'c-1' } },
    });
    expect(outcome.events).toEqual([]);
    expect(outcome.reply).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"challenge":"c-1"}',
    });
  });

  test("the signature is checked with the run's clock: a delivery five minutes late is still good, ten is not", async () => {
    const sent = new Date('2026-03-01T10:00:00Z');
    const body = JSON.stringify({ events: [event(9)] });
    const request = { rawBody: body, headers: signed(body, Math.floor(sent.getTime() / 1000)) };
    const run = (minutes: number) =>
      runWebhookNotification({
        connector,
        trigger: 'task_event',
        connection,
        input: { project_id: 7 },
        request,
        executeOptions: { now: () => new Date(sent.getTime() + minutes * 60_000) },
      });
    expect((await run(5)).events).toEqual([event(9)]);
    await expect(run(10)).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
  });

  test('refresh renews the registration named by the subscription', async () => {
    const sub = await execute(connector, 'triggers.task_event.webhook_subscribe', {
      connection,
      input: { project_id: 8 },
      // Tasker calls this URL for the handshake: a receiver that echoes, standing in for weft listen.
      webhookUrl: (await echoServer()).url,
    });
    expect(sub).toMatchObject({ output: { id: expect.stringMatching(/^wh_/), expires_at: '2026-04-01T00:00:00Z' } });
    const subscription = (sub as { output: { id: string } }).output;
    const input = { project_id: 8 };
    const renewed = await execute(connector, 'triggers.task_event.webhook_refresh', {
      connection,
      input,
      subscription,
    });
    expect(renewed).toMatchObject({ output: { id: subscription.id, expires_at: '2026-05-01T00:00:00Z' } });
    await execute(connector, 'triggers.task_event.webhook_unsubscribe', { connection, input, subscription });
    expect(hooks.has(subscription.id)).toBe(false);
  });
});

const echoes: TestServer[] = [];
async function echoServer(): Promise<TestServer> {
  const server = await startServer((_req, res, body) => json(res, 200, { challenge: JSON.parse(body).challenge }));
  echoes.push(server);
  return server;
}
afterAll(async () => {
  for (const s of echoes) await s.close();
});
