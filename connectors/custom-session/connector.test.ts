/**
 * Ledgerly against a fake of its API: sessions from `POST session`, which the fake can expire
 * at will. Expired sessions answer 401 (most endpoints) or 200 `{"error":"SESSION_EXPIRED"}`
 * (`GET invoices`, an "older" endpoint).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { execWeft, json, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const PASSWORD = 'correct-horse-battery-staple';

const api = {
  logins: 0,
  sessions: new Set<string>(),
  seq: 0,
  invoices: [{ id: 1, customer: 'Acme', total: 120.5, status: 'open' }],
};
let server: TestServer;
let connector: ConnectorDefinition;

beforeAll(async () => {
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  server = await startServer((req, res, body) => {
    const session = String(req.headers['x-session-id'] ?? '');
    const live = api.sessions.has(session);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/api/session') {
      api.logins++;
      const { username, password } = JSON.parse(body || '{}');
      if (req.headers['x-session-id']) return json(res, 400, { error: 'apply must not run on the login' });
      if (username !== 'ann' || password !== PASSWORD) return json(res, 403, { error: 'invalid credentials' });
      const id = `sess-${++api.seq}-${Math.random().toString(36).slice(2, 10)}`;
      api.sessions.add(id);
      return setTimeout(() => json(res, 201, { session_id: id, user: 'ann' }), 20);
    }
    if (path === '/api/me') return live ? json(res, 200, { user: 'ann' }) : json(res, 401, { error: 'no session' });
    if (path === '/api/invoices' && req.method === 'GET') {
      if (!live) return json(res, 200, { error: 'SESSION_EXPIRED' });
      return json(res, 200, api.invoices);
    }
    if (path === '/api/invoices' && req.method === 'POST') {
      if (!live) return json(res, 401, { error: 'no session' });
      const invoice = { id: api.invoices.length + 1, ...JSON.parse(body), status: 'open' };
      api.invoices.push(invoice);
      return json(res, 201, invoice);
    }
    json(res, 404, { error: 'not found' });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});
beforeEach(() => {
  api.logins = 0;
  api.sessions.clear();
});

const conn = (extra: Record<string, unknown> = {}) => ({
  base_url: `${server.url}/api`,
  username: 'ann',
  password: PASSWORD,
  ...extra,
});

describe('session login (acquire) and re-login (refreshOn / detectOn)', () => {
  test('the first request logs in and stores the session in the connection', async () => {
    const connection = conn();
    const updates: unknown[] = [];
    const result = await execute(connector, 'test', { connection, onConnectionUpdate: (v) => void updates.push(v) });
    expect(result).toMatchObject({ output: { user: 'ann' } });
    expect(api.logins).toBe(1);
    expect(api.sessions.has(String((connection as Record<string, unknown>).session_id))).toBe(true);
    expect(updates).toHaveLength(1);
  });

  test('20 concurrent jobs with an expired session log in once', async () => {
    const connection = conn({ session_id: 'sess-expired' });
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        execute(connector, 'actions.create_invoice.execute', { connection, input: { customer: `C${i}`, total: i } }),
      ),
    );
    expect(runs.every((r) => r.kind === 'output')).toBe(true);
    expect(api.logins).toBe(1);
  });

  test('a 200 with SESSION_EXPIRED (detectOn) logs in again', async () => {
    const result = await execute(connector, 'actions.list_invoices.execute', {
      connection: conn({ session_id: 'sess-expired' }),
      input: { status: 'open' },
    });
    expect((result as { output: { invoices: unknown[] } }).output.invoices[0]).toMatchObject({
      id: 1,
      customer: 'Acme',
    });
    expect(api.logins).toBe(1);
  });

  test('a failing login asks to reconnect, without the password', async () => {
    const error = await execute(connector, 'test', { connection: conn({ password: 'wrong-password-123' }) }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'REAUTHORIZE' });
    expect(error.message).toMatch(/needs to be reconnected: the acquire failed: .*403.*invalid credentials/);
    expect(error.message).not.toContain('wrong-password-123');
  });
});

describe('weft exec', () => {
  test('writes the new session back to the settings file; --verbose shows no secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-session-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(settings, `base_url: ${server.url}/api\nusername: ann\npassword: ${PASSWORD}\n`);
    const run = await execWeft(CONNECTOR, settings, 'test', '--verbose');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ user: 'ann' });
    const written = await readFile(settings, 'utf8');
    const session = /session_id: (\S+)/.exec(written)?.[1];
    expect(session).toMatch(/^sess-/);
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.stderr).not.toContain(session!);
  });
});
