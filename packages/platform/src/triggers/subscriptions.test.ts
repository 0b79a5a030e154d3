/**
 * Dynamic webhook subscriptions against a fake application that records its registrations and,
 * like many real ones, verifies a URL (a challenge it expects echoed) before accepting it.
 */
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { portOf, startOnPort } from '../__fixtures__/start-on-port.js';
import type { RunningServer } from '../serve.js';
import { StoredSubscriptions } from './stored-subscriptions.js';
import { refreshTime, subscriptionExpiry } from './subscriptions.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];

interface Hook {
  id: string;
  url: string;
  active: boolean;
  renewals: number;
  expiresIn?: number;
}

/** The application: `POST /hooks` verifies and registers a URL, `POST /hooks/:id/renew`, `DELETE /hooks/:id`. */
class FakeApp {
  hooks: Hook[] = [];
  failDeletes = false;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      const reply = (status: number, value?: unknown) => {
        res.writeHead(status, value === undefined ? {} : { 'content-type': 'application/json' });
        res.end(value === undefined ? undefined : JSON.stringify(value));
      };
      const expiry = (hook: Hook) =>
        hook.expiresIn ? { expires_at: new Date(Date.now() + hook.expiresIn * 1000).toISOString() } : {};
      const path = req.url ?? '';
      if (req.method === 'POST' && path === '/hooks') {
        if (body.topic === 'refuse') return reply(422, { message: 'topic "refuse" is not allowed for this account' });
        // The verification handshake, sent while the registration is pending.
        const challenge = `ch-${this.hooks.length}`;
        const check = await fetch(body.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'verify', challenge }),
        });
        const echoed = check.ok ? ((await check.json()) as { challenge?: string }) : undefined;
        if (echoed?.challenge !== challenge) return reply(400, { message: `verification failed (${check.status})` });
        const hook: Hook = {
          id: `hook_${this.hooks.length + 1}`,
          url: body.url,
          active: true,
          renewals: 0,
          expiresIn: body.expires_in,
        };
        this.hooks.push(hook);
        return reply(201, { id: hook.id, ...expiry(hook) });
      }
      const renew = /^\/hooks\/([^/]+)\/renew$/.exec(path);
      const hook = this.hooks.find((h) => h.id === (renew?.[1] ?? path.split('/')[2]));
      if (req.method === 'POST' && renew && hook?.active) {
        hook.renewals++;
        return reply(200, { id: hook.id, ...expiry(hook) });
      }
      if (req.method === 'DELETE' && hook) {
        if (this.failDeletes) return reply(503, { message: 'maintenance' });
        hook.active = false;
        return reply(204);
      }
      reply(404, { message: 'no such hook' });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  active(): Hook[] {
    return this.hooks.filter((h) => h.active);
  }

  /** What the application does on an event: POST it to every active registration. */
  async send(event: unknown): Promise<number[]> {
    return Promise.all(
      this.active().map(async (hook) => {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let app: FakeApp;
let home: string;
let port: number;
let server: RunningServer;

/**
 * Starts the server on `port` (0 the first time: the system picks; then the same port again, as
 * a restarted server keeps its address). A neighbouring test may take the port while it is free;
 * then the start is tried again for a while.
 */
async function boot(): Promise<RunningServer> {
  const started = await startOnPort({
    port,
    home,
    connectorDirs: FIXTURES,
    env: {},
    onWarning: () => {},
    log: vi.fn(),
  });
  port = portOf(started);
  return started;
}

beforeAll(async () => {
  app = new FakeApp();
  await app.start();
  home = await mkdtemp(join(tmpdir(), 'weft-subscriptions-'));
  port = 0;
  server = await boot();
  const res = await call('POST', '/api/connections', { name: 'app', connector: 'hooks', values: { app_url: app.url } });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await server.close();
  await app.close();
});
afterEach(() => {
  app.failDeletes = false;
});

const call = apiCaller(() => server);
/** The recipe's subscription as the server keeps it (opened with its vault). */
const stored = (recipeId: string) => new StoredSubscriptions(server.store, server.vault).get(recipeId);

let count = 0;
async function recipe(trigger: string, input: Record<string, unknown> = {}) {
  const created = await call('POST', '/api/recipes', {
    name: `${trigger} ${++count}`,
    trigger: { connector: 'hooks', connection: 'app', trigger, input },
    steps: [],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; webhookUrl: string };
}

const hooksOf = (webhookUrl: string) => app.hooks.filter((h) => h.url === webhookUrl);

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dynamic webhooks', () => {
  test('start subscribes once (answering the handshake), a restart keeps the subscription, stop unsubscribes', async () => {
    const r = await recipe('app_event', { topic: 'orders' });
    expect((await call('POST', `/api/recipes/${r.id}/start`)).body.status).toBe('running');
    expect(hooksOf(r.webhookUrl)).toMatchObject([{ active: true }]);
    expect(await stored(r.id)).toMatchObject({ data: { id: expect.any(String) } });
    const hookId = hooksOf(r.webhookUrl)[0].id;

    expect(await app.send({ id: 'ev1', type: 'order.created' })).toEqual([200]);
    const jobs = await server.store.listJobs({ limit: 10, recipeId: r.id });
    expect(jobs.items.map((j) => j.trigger)).toEqual([{ id: 'ev1', type: 'order.created', hook: hookId }]);

    // A restart on the same home resumes the recipe without subscribing again.
    await server.close();
    server = await boot();
    expect((await call('GET', `/api/recipes/${r.id}`)).body.status).toBe('running');
    expect(hooksOf(r.webhookUrl)).toHaveLength(1);
    expect(await app.send({ id: 'ev2', type: 'order.created' })).toEqual([200]);
    expect((await server.store.listJobs({ limit: 10, recipeId: r.id })).items).toHaveLength(2);

    expect((await call('POST', `/api/recipes/${r.id}/stop`)).body.status).toBe('stopped');
    expect(hooksOf(r.webhookUrl)).toMatchObject([{ active: false }]);
    expect(await stored(r.id)).toBeUndefined();
    // Started again: a new registration.
    await call('POST', `/api/recipes/${r.id}/start`);
    expect(hooksOf(r.webhookUrl).map((h) => h.active)).toEqual([false, true]);
    await call('POST', `/api/recipes/${r.id}/stop`);
  });

  test('a subscription stored before a crash is kept: starting again does not subscribe twice', async () => {
    const r = await recipe('app_event');
    await call('POST', `/api/recipes/${r.id}/start`);
    // As if the server had crashed after subscribing, before marking the recipe running.
    await server.store.setRecipeStatus(r.id, 'stopped');
    await server.close();
    server = await boot();
    expect((await call('POST', `/api/recipes/${r.id}/start`)).body.status).toBe('running');
    expect(hooksOf(r.webhookUrl)).toHaveLength(1);
    await call('POST', `/api/recipes/${r.id}/stop`);
  });

  test('a failing subscribe leaves the recipe stopped with the application’s message', async () => {
    const r = await recipe('app_event', { topic: 'refuse' });
    const res = await call('POST', `/api/recipes/${r.id}/start`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('WEBHOOK_SUBSCRIBE_FAILED');
    expect(res.body.error.message).toMatch(/subscribing its webhook with "hooks" failed/);
    expect(res.body.error.message).toMatch(/topic \\?"refuse\\?" is not allowed/);
    expect((await call('GET', `/api/recipes/${r.id}`)).body.status).toBe('stopped');
    expect(await stored(r.id)).toBeUndefined();
    expect(hooksOf(r.webhookUrl)).toEqual([]);
    // Its URL answers 404.
    expect((await fetch(r.webhookUrl, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  test('a failing unsubscribe is logged, and the recipe stops and forgets the subscription anyway', async () => {
    const r = await recipe('app_event');
    await call('POST', `/api/recipes/${r.id}/start`);
    app.failDeletes = true;
    expect((await call('POST', `/api/recipes/${r.id}/stop`)).body.status).toBe('stopped');
    expect(await stored(r.id)).toBeUndefined();
    expect(server.context.log).toHaveBeenCalledWith(
      'warn',
      expect.stringContaining('Unsubscribing the webhook'),
      expect.objectContaining({ recipeId: r.id, error: expect.stringMatching(/503/) }),
    );
    // The lingering registration delivers to a URL that now answers 404.
    expect(await app.send({ id: 'late' })).toContain(404);
    app.hooks.find((h) => h.url === r.webhookUrl)!.active = false;
  });

  test('a subscription with expires_at is refreshed before it expires', async () => {
    const r = await recipe('app_event', { expires_in: 2 });
    await call('POST', `/api/recipes/${r.id}/start`);
    const first = (await stored(r.id))!;
    expect(subscriptionExpiry(first.data)).toBeGreaterThan(Date.now());
    await until(() => hooksOf(r.webhookUrl)[0].renewals >= 1, 4000);
    await until(async () => (await stored(r.id))!.data !== first.data);
    const renewed = (await stored(r.id))!;
    expect(subscriptionExpiry(renewed.data)).toBeGreaterThan(subscriptionExpiry(first.data)!);
    await call('POST', `/api/recipes/${r.id}/stop`);
    const renewals = hooksOf(r.webhookUrl)[0].renewals;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Stopped: no more refreshes.
    expect(hooksOf(r.webhookUrl)[0].renewals).toBe(renewals);
  });

  test('webhookRefreshSeconds refreshes on an interval, and keeps doing so after a restart', async () => {
    const r = await recipe('renewed_event');
    await call('POST', `/api/recipes/${r.id}/start`);
    await until(() => hooksOf(r.webhookUrl)[0].renewals >= 1, 4000);
    await server.close();
    const before = hooksOf(r.webhookUrl)[0].renewals;
    server = await boot();
    await until(() => hooksOf(r.webhookUrl)[0].renewals > before, 4000);
    expect(hooksOf(r.webhookUrl)).toHaveLength(1);
    await call('POST', `/api/recipes/${r.id}/stop`);
  });
});

describe('refresh time', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('80% of the time left until expires_at, or the interval after the last refresh, whichever is first', () => {
    const inAnHour = { data: { expires_at: '2026-01-01T01:00:00Z' }, updatedAt: '2026-01-01T00:00:00Z' };
    expect(refreshTime({}, inAnHour, now)).toBe(now + 48 * 60_000);
    expect(refreshTime({ webhookRefreshSeconds: 600 }, inAnHour, now)).toBe(now + 600_000);
    expect(refreshTime({}, { data: { expires_at: 1767229200 }, updatedAt: '' }, now)).toBe(now + 48 * 60_000);
    expect(refreshTime({}, { data: { expires_at: '2025-12-31T00:00:00Z' }, updatedAt: '' }, now)).toBe(now);
    expect(refreshTime({}, { data: { id: 'h' }, updatedAt: '' }, now)).toBeUndefined();
    expect(subscriptionExpiry({ expiresAt: 'not a time' })).toBeUndefined();
  });
});
