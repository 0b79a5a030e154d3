/**
 * Webhook ingress against a real server: deliveries become committed jobs before the sender
 * hears 2xx; anything else (unknown or stopped recipe, wrong secret, bad body, bad signature)
 * creates nothing.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';
import type { JobRecord } from '../store/store.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
const LIMIT = 4096;
let server: RunningServer;

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-ingress-'));
  server = await startServer({
    port: 0,
    home,
    connectorDirs: FIXTURES,
    env: {},
    onWarning: () => {},
    runtime: { webhookBodyLimit: LIMIT },
    // Refusals are logged as warnings; keep the test output quiet.
    log: vi.fn(),
  });
  for (const [name, account, secret] of [
    ['hooks-a', 'acct-a', 'signing-secret-a-1234'],
    ['hooks-b', 'acct-b', 'signing-secret-b-5678'],
  ]) {
    expect(
      (
        await call('POST', '/api/connections', {
          name,
          connector: 'hooks',
          values: { account, signing_secret: secret },
        })
      ).status,
    ).toBe(201);
  }
});
afterAll(async () => {
  await server.close();
});

const call = apiCaller(() => server);

let recipes = 0;
/** Creates and starts a recipe on a trigger of the hooks connector. */
async function running(trigger: string, connection = 'hooks-a', input: Record<string, unknown> = {}) {
  const created = await call('POST', '/api/recipes', {
    name: `${trigger} ${++recipes}`,
    trigger: { connector: 'hooks', connection, trigger, input },
    steps: [],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const started = await call('POST', `/api/recipes/${created.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return started.body as { id: string; webhookUrl: string; staticWebhookUrl?: string };
}

async function jobsOf(recipeId: string): Promise<JobRecord[]> {
  return (await server.store.listJobs({ limit: 100, recipeId })).items.reverse();
}

const sign = (body: string, secret = 'signing-secret-a-1234') =>
  createHmac('sha256', secret).update(body).digest('hex');

async function deliver(
  url: string,
  payload: unknown,
  init: { secret?: string; headers?: Record<string, string> } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hooks-signature': sign(body, init.secret),
      ...init.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe('recipe webhooks', () => {
  test('a delivery is answered with the shaped reply only after its job is committed', async () => {
    const recipe = await running('signed_event');
    const store = server.store;
    const original = store.createJobsMany.bind(store);
    let committedAt = 0;
    const spy = vi.spyOn(store, 'createJobsMany').mockImplementation(async (inputs) => {
      await new Promise((r) => setTimeout(r, 150));
      const result = await original(inputs);
      committedAt = Date.now();
      return result;
    });
    try {
      const res = await deliver(recipe.webhookUrl, { id: 'ord-1', total: 12.5 });
      const answeredAt = Date.now();
      expect(res.status).toBe(202);
      expect(res.headers.get('x-hooks-ack')).toBe('yes');
      expect(committedAt).toBeGreaterThan(0);
      expect(answeredAt).toBeGreaterThanOrEqual(committedAt);
    } finally {
      spy.mockRestore();
    }
    const jobs = await jobsOf(recipe.id);
    expect(jobs).toHaveLength(1);
    // Pending, or already run by the workers (the recipe has no steps).
    expect(jobs[0]).toMatchObject({ recipeId: recipe.id, trigger: { id: 'ord-1', total: 12.5 } });
    expect(['pending', 'running', 'succeeded']).toContain(jobs[0].status);
  });

  test('handshakes get the reply the trigger shapes and create no job (POST and GET)', async () => {
    const recipe = await running('signed_event');
    const post = await deliver(recipe.webhookUrl, { type: 'challenge', challenge: 'c-123' });
    expect(post.status).toBe(200);
    expect(post.headers.get('content-type')).toMatch(/^application\/json/);
    expect(post.json()).toEqual({ challenge: 'c-123' });
    const get = await fetch(`${recipe.webhookUrl}?challenge=c-456&challenge=ignored`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await get.text()).toBe('c-456');
    // HEAD only says the URL is live.
    expect((await fetch(recipe.webhookUrl, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${recipe.webhookUrl}x`, { method: 'HEAD' })).status).toBe(404);
    expect(await jobsOf(recipe.id)).toEqual([]);
  });

  test('an unknown or stopped recipe, or a wrong secret, is a 404 and creates nothing', async () => {
    const recipe = await running('signed_event');
    const url = new URL(recipe.webhookUrl);
    const [, , , id, secret] = url.pathname.split('/');
    // Change the last character to one it is not (a fixed 'x' was the secret itself 1 time in 64).
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
    expect(wrong).not.toBe(secret);
    const wrongSecret = await deliver(`${server.url}/webhooks/recipes/${id}/${wrong}`, { id: 'x1' });
    expect(wrongSecret.status).toBe(404);
    expect(wrongSecret.json().error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await deliver(`${server.url}/webhooks/recipes/rcp_nope/${secret}`, { id: 'x2' })).status).toBe(404);
    expect((await deliver(`${server.url}/webhooks/recipes/${id}`, { id: 'x3' })).status).toBe(404);
    expect((await call('POST', `/api/recipes/${id}/stop`)).status).toBe(200);
    expect((await deliver(recipe.webhookUrl, { id: 'x4' })).status).toBe(404);
    expect(await jobsOf(id)).toEqual([]);
    // Started again, the same URL works.
    expect((await call('POST', `/api/recipes/${id}/start`)).status).toBe(200);
    expect((await deliver(recipe.webhookUrl, { id: 'x5' })).status).toBe(202);
    expect((await jobsOf(id)).map((j) => (j.trigger as { id: string }).id)).toEqual(['x5']);
  });

  test('a wrong signature is a 401 and creates nothing', async () => {
    const recipe = await running('signed_event');
    const res = await deliver(recipe.webhookUrl, { id: 'forged' }, { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    expect(res.text).not.toContain('signing-secret-a-1234');
    expect(await jobsOf(recipe.id)).toEqual([]);
    expect(server.context.log).toHaveBeenCalledWith(
      'warn',
      expect.stringContaining('refused with 401'),
      expect.objectContaining({ recipeId: recipe.id, code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  test('malformed JSON is a 400; a body over the limit a 413; compressed or binary bodies a 415', async () => {
    const recipe = await running('signed_event');
    const malformed = await deliver(recipe.webhookUrl, '{"id": "a",');
    expect(malformed.status).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'WEBHOOK_REQUEST_INVALID' });
    expect(malformed.json().error.message).toMatch(/not valid JSON/);

    const large = await deliver(recipe.webhookUrl, { id: 'big', pad: 'x'.repeat(LIMIT) });
    expect(large.status).toBe(413);
    expect(large.json().error).toEqual({
      code: 'BODY_TOO_LARGE',
      message: expect.stringContaining(`${LIMIT} bytes`),
    });

    const gzip = await deliver(recipe.webhookUrl, { id: 'gz' }, { headers: { 'content-encoding': 'gzip' } });
    expect(gzip.status).toBe(415);
    expect(gzip.json().error.message).toMatch(/Content-Encoding "gzip"/);

    const binary = await fetch(recipe.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0xff, 0xfe, 0x00, 0x80]),
    });
    expect(binary.status).toBe(415);
    expect(((await binary.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const badType = await deliver(recipe.webhookUrl, { id: 'bt' }, { headers: { 'content-type': 'not a type' } });
    expect(badType.status).toBe(415);
    expect(await jobsOf(recipe.id)).toEqual([]);
  });

  test('dedup: an event delivered twice, or twice in one delivery, makes one job', async () => {
    const recipe = await running('signed_event');
    expect((await deliver(recipe.webhookUrl, { events: [{ id: 'e1' }, { id: 'e2' }, { id: 'e1' }] })).status).toBe(202);
    expect((await deliver(recipe.webhookUrl, { events: [{ id: 'e2' }, { id: 'e3' }] })).status).toBe(202);
    // Concurrent repeats share a transaction: still one job each.
    const again = await Promise.all([1, 2, 3].map(() => deliver(recipe.webhookUrl, { id: 'e4' })));
    expect(again.map((r) => r.status)).toEqual([202, 202, 202]);
    expect((await jobsOf(recipe.id)).map((j) => (j.trigger as { id: string }).id)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  test('concurrent deliveries are all committed before they are answered', async () => {
    const recipe = await running('signed_event');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => deliver(recipe.webhookUrl, { id: `c${i}` })),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(await jobsOf(recipe.id)).toHaveLength(40);
  });

  test('raw triggers get the body text unparsed (XML, any content type)', async () => {
    const recipe = await running('raw_event');
    const xml = '<order id="1"><total>01.50</total></order>';
    const res = await fetch(recipe.webhookUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/xml' },
      body: xml,
    });
    expect(res.status).toBe(200);
    expect((await jobsOf(recipe.id)).map((j) => j.trigger)).toEqual([{ text: xml, type: 'application/xml' }]);
  });
});

describe('static webhooks', () => {
  test('a request reaches every running recipe whose key matches, and no other', async () => {
    const a1 = await running('account_event', 'hooks-a');
    const a2 = await running('account_event', 'hooks-a');
    const b = await running('account_event', 'hooks-b');
    expect(a1.staticWebhookUrl).toBe(`${server.url}/webhooks/static/hooks`);
    const res = await fetch(a1.staticWebhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hooks-account': 'acct-a' },
      body: JSON.stringify({ id: 'p1', account: 'acct-a' }),
    });
    expect(res.status).toBe(200);
    for (const recipe of [a1, a2]) {
      expect((await jobsOf(recipe.id)).map((j) => j.trigger)).toEqual([
        { id: 'p1', account: 'acct-a', received_by: 'acct-a' },
      ]);
    }
    expect(await jobsOf(b.id)).toEqual([]);
    // The key may come from the body too; a repeat is deduplicated per recipe.
    const json = { 'content-type': 'application/json' };
    await fetch(a1.staticWebhookUrl!, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'p1', account: 'acct-b' }),
    });
    await fetch(a1.staticWebhookUrl!, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'p1', account: 'acct-b' }),
    });
    expect((await jobsOf(b.id)).map((j) => (j.trigger as { received_by: string }).received_by)).toEqual(['acct-b']);
    expect(await jobsOf(a1.id)).toHaveLength(1);

    // A stopped recipe no longer receives.
    await call('POST', `/api/recipes/${a2.id}/stop`);
    await fetch(a1.staticWebhookUrl!, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'p2', account: 'acct-a' }),
    });
    expect(await jobsOf(a1.id)).toHaveLength(2);
    expect(await jobsOf(a2.id)).toHaveLength(1);
  });

  test('no recipe for the key: 200 and nothing created; unknown connector or one without webhookKeys: 404', async () => {
    const before = (await server.store.listJobs({ limit: 1000 })).items.length;
    const nobody = await fetch(`${server.url}/webhooks/static/hooks`, {
      method: 'POST',
      headers: { 'x-hooks-account': 'acct-nobody' },
      body: JSON.stringify({ id: 'n1' }),
    });
    expect(nobody.status).toBe(200);
    expect(server.context.log).toHaveBeenCalledWith(
      'info',
      expect.stringContaining('matched no running recipe'),
      expect.objectContaining({ key: 'acct-nobody' }),
    );
    const unknown = await fetch(`${server.url}/webhooks/static/nope`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.message).toMatch(/No connector named "nope"/);
    const noKeys = await fetch(`${server.url}/webhooks/static/shop`, { method: 'POST', body: '{}' });
    expect(noKeys.status).toBe(404);
    expect(((await noKeys.json()) as any).error.message).toMatch(/no static webhooks/);
    expect((await server.store.listJobs({ limit: 1000 })).items).toHaveLength(before);
  });
});
