/**
 * Webhook subscriptions are stored sealed: a per-webhook signing secret that the application
 * gives only once (kept in the subscription, as ClickUp's connector does) never reaches the
 * database in plain text, a row written in plain JSON by an older version still works and is
 * sealed on start, a rotated master key still opens it, and `weft db copy` copies it sealed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { portOf, startOnPort } from '../__fixtures__/start-on-port.js';
import { copyDatabase } from '../db-copy.js';
import type { RunningServer } from '../serve.js';
import { keyIdOf } from '../vault.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
const KEY_A = randomBytes(32).toString('hex');
const KEY_B = randomBytes(32).toString('hex');

interface Hook {
  id: string;
  url: string;
  secret: string;
  active: boolean;
}

/** An application that gives each new webhook its own signing secret, once, and signs deliveries with it. */
class SigningApp {
  hooks: Hook[] = [];
  url = '';
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const path = req.url ?? '';
      if (req.method === 'POST' && path === '/hooks') {
        const { url } = JSON.parse(Buffer.concat(chunks).toString()) as { url: string };
        const hook = {
          id: `hook_${this.hooks.length + 1}`,
          url,
          secret: randomBytes(24).toString('hex'),
          active: true,
        };
        this.hooks.push(hook);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: hook.id, secret: hook.secret }));
      }
      const hook = this.hooks.find((h) => path === `/hooks/${h.id}`);
      if (req.method === 'DELETE' && hook) {
        hook.active = false;
        res.writeHead(204);
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Delivers `event` to the hook, signed with `secret` (default: the hook's own). */
  async send(hook: Hook, event: unknown, secret = hook.secret): Promise<number> {
    const body = JSON.stringify(event);
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hooks-signature': createHmac('sha256', secret).update(body).digest('hex'),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let app: SigningApp;
let home: string;
let port = 0;
let server: RunningServer;
let warnings: string[] = [];

/** Starts the server on the same port each time (the registered webhook URL names it). */
async function boot(env: Record<string, string>): Promise<RunningServer> {
  warnings = [];
  const started = await startOnPort({
    port,
    home,
    connectorDirs: FIXTURES,
    env,
    onWarning: (message) => warnings.push(message),
    log: vi.fn(),
  });
  port = portOf(started);
  return started;
}

const call = apiCaller(() => server);
const database = () => join(home, 'weft.db');

interface Row {
  data: string;
  key_id: string | null;
  nonce: string | null;
}

/** The subscription's row as the database holds it, read through a read-only connection. */
function rawRow(recipeId: string): Row | undefined {
  const db = new SQLite(database(), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select data, key_id, nonce from webhook_subscriptions where recipe_id = ?').get(recipeId) as
      | Row
      | undefined;
  } finally {
    db.close();
  }
}

/** Whether the database files (with the write-ahead log) hold `text` anywhere. */
async function databaseHolds(text: string): Promise<boolean> {
  for (const file of [database(), `${database()}-wal`]) {
    const bytes = await readFile(file).catch(() => Buffer.alloc(0));
    if (bytes.includes(text)) return true;
  }
  return false;
}

async function jobCount(recipeId: string): Promise<number> {
  return (await server.store.listJobs({ limit: 100, recipeId })).items.length;
}

beforeAll(async () => {
  app = new SigningApp();
  await app.start();
  home = await mkdtemp(join(tmpdir(), 'weft-sealed-subscriptions-'));
  server = await boot({ WEFT_MASTER_KEY: KEY_A });
  const res = await call('POST', '/api/connections', { name: 'app', connector: 'hooks', values: { app_url: app.url } });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

test('the per-webhook secret is sealed at rest; plain rows of older versions and rotated keys still work', async () => {
  const created = await call('POST', '/api/recipes', {
    name: 'signed deliveries',
    trigger: { connector: 'hooks', connection: 'app', trigger: 'secret_event', input: {} },
    steps: [],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = (created.body as { id: string }).id;
  expect((await call('POST', `/api/recipes/${id}/start`)).body.status).toBe('running');
  expect(app.hooks).toHaveLength(1);
  const hook = app.hooks[0];

  // At rest: sealed with the current key; the secret is nowhere in the database's files.
  const sealed = rawRow(id)!;
  expect(sealed.key_id).toBe(keyIdOf(Buffer.from(KEY_A, 'hex')));
  expect(sealed.data).not.toContain(hook.secret);
  expect(sealed.data).not.toContain(hook.id);
  expect(await databaseHolds(hook.secret)).toBe(false);

  // Deliveries are still checked against the secret.
  expect(await app.send(hook, { id: 'ev1' })).toBe(200);
  expect(await app.send(hook, { id: 'forged' }, 'not-the-secret')).toBeGreaterThanOrEqual(400);
  expect(await jobCount(id)).toBe(1);

  // A row as an older version wrote it: plain JSON, no key. It works after a restart, which seals it.
  await server.close();
  const writable = new SQLite(database());
  writable
    .prepare('update webhook_subscriptions set data = ?, key_id = null, nonce = null where recipe_id = ?')
    .run(JSON.stringify({ id: hook.id, secret: hook.secret }), id);
  writable.close();
  expect(rawRow(id)).toMatchObject({ key_id: null });
  server = await boot({ WEFT_MASTER_KEY: KEY_A });
  expect(warnings).toContainEqual(expect.stringMatching(/sealed 1 webhook subscription\(s\)/));
  expect(rawRow(id)).toMatchObject({ key_id: keyIdOf(Buffer.from(KEY_A, 'hex')) });
  expect(rawRow(id)!.data).not.toContain(hook.secret);
  expect((await call('GET', `/api/recipes/${id}`)).body.status).toBe('running');
  expect(await app.send(hook, { id: 'ev2' })).toBe(200);
  expect(await jobCount(id)).toBe(2);
  expect(app.hooks).toHaveLength(1);

  // The master key rotated: the old one opens the row, which is re-sealed under the new one.
  await server.close();
  server = await boot({ WEFT_MASTER_KEY: KEY_B, WEFT_MASTER_KEY_PREVIOUS: KEY_A });
  expect(warnings).toContainEqual(expect.stringMatching(/sealed 1 webhook subscription\(s\)/));
  expect(rawRow(id)).toMatchObject({ key_id: keyIdOf(Buffer.from(KEY_B, 'hex')) });
  expect(await app.send(hook, { id: 'ev3' })).toBe(200);
  expect(await jobCount(id)).toBe(3);

  // `weft db copy` into another home, started without the old key: the row is copied sealed and
  // opens there (it was re-sealed), deliveries verify, and stop unsubscribes with it.
  await server.close();
  const copy = await mkdtemp(join(tmpdir(), 'weft-sealed-copy-'));
  expect((await copyDatabase(home, copy)).counts.webhook_subscriptions).toBe(1);
  home = copy;
  expect(rawRow(id)).toMatchObject({ key_id: keyIdOf(Buffer.from(KEY_B, 'hex')) });
  expect(await databaseHolds(hook.secret)).toBe(false);
  server = await boot({ WEFT_MASTER_KEY: KEY_B });
  expect(warnings.filter((w) => /subscription/.test(w))).toEqual([]);
  expect(await app.send(hook, { id: 'ev4' })).toBe(200);
  expect((await call('POST', `/api/recipes/${id}/stop`)).body.status).toBe('stopped');
  expect(hook.active).toBe(false);
  expect(rawRow(id)).toBeUndefined();
});

test('a damaged sealed row: the recipe is not resumed, stop forgets the row with a warning, start subscribes anew', async () => {
  const created = await call('POST', '/api/recipes', {
    name: 'damaged',
    trigger: { connector: 'hooks', connection: 'app', trigger: 'secret_event', input: {} },
    steps: [],
  });
  const id = (created.body as { id: string }).id;
  expect((await call('POST', `/api/recipes/${id}/start`)).body.status).toBe('running');
  const first = app.hooks[app.hooks.length - 1];
  const env = { WEFT_MASTER_KEY: KEY_B };

  await server.close();
  const writable = new SQLite(database());
  const bytes = Buffer.from(rawRow(id)!.data, 'base64');
  bytes[0] ^= 1;
  writable.prepare('update webhook_subscriptions set data = ? where recipe_id = ?').run(bytes.toString('base64'), id);
  writable.close();
  server = await boot(env);
  expect(server.context.log).toHaveBeenCalledWith(
    'error',
    'Recipe "damaged" could not be resumed',
    expect.objectContaining({ recipeId: id, error: expect.stringMatching(/cannot be decrypted.*Stop the recipe/) }),
  );

  expect((await call('POST', `/api/recipes/${id}/stop`)).body.status).toBe('stopped');
  expect(server.context.log).toHaveBeenCalledWith(
    'warn',
    expect.stringContaining('cannot be opened, so it was not unsubscribed'),
    expect.objectContaining({ recipeId: id, code: 'SETTINGS_INVALID' }),
  );
  expect(rawRow(id)).toBeUndefined();
  // The old registration lingers at the application (nothing could unsubscribe it); a new one is made.
  expect(first.active).toBe(true);
  expect((await call('POST', `/api/recipes/${id}/start`)).body.status).toBe('running');
  const second = app.hooks[app.hooks.length - 1];
  expect(second.id).not.toBe(first.id);
  expect(await app.send(second, { id: 'after' })).toBe(200);
  expect(await jobCount(id)).toBe(1);
  await call('POST', `/api/recipes/${id}/stop`);
  expect(second.active).toBe(false);
});
