import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [
  fileURLToPath(new URL('../__fixtures__/connectors', import.meta.url)),
  fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url)),
];
const PASSWORD = 'correct-horse-battery-staple-42';
const WRONG = 'wrong-password-that-leaks-7731';
const CRM_KEY = 'crm-api-key-0f9e8d7c6b5a';

let server: RunningServer;
let api: Server;
let apiUrl: string;
let sessions = 0;
/** Every response body the API under test sent, to search for secrets. */
const bodies: string[] = [];
const call = apiCaller(
  () => server,
  (text) => bodies.push(text),
);
/** A connection of the session-login connector, as user ada, to the fake service unless `baseUrl` says otherwise. */
const createSvc = (name: string, password: string, baseUrl = apiUrl) =>
  call('POST', '/api/connections', {
    name,
    connector: 'svc',
    values: { base_url: baseUrl, username: 'ada', password },
  });

beforeAll(async () => {
  // A fake service: POST /login trades username/password for a session; GET /me needs one.
  api = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/login') {
        const body = JSON.parse(raw || '{}');
        if (body.password === PASSWORD) {
          sessions++;
          res.end(JSON.stringify({ session_token: `session-token-${sessions}-abcdef` }));
        } else {
          // A careless API that echoes the password back in its error.
          res.statusCode = 403;
          res.end(JSON.stringify({ error: `bad password ${body.password} for ${body.username}` }));
        }
        return;
      }
      if (req.method === 'GET' && req.url === '/me') {
        if (/^Bearer session-token-\d+-abcdef$/.test(req.headers.authorization ?? '')) {
          res.end(JSON.stringify({ name: 'Ada' }));
        } else {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: 'no session' }));
        }
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
  const home = await mkdtemp(join(tmpdir(), 'weft-conn-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => api.close(resolve));
});

describe('connections API', () => {
  test('create, read, list, patch and delete; secrets come back as [REDACTED]', async () => {
    const created = await call('POST', '/api/connections', {
      name: 'crm-main',
      connector: 'crm',
      values: { api_key: CRM_KEY },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'crm-main', connector: 'crm', values: { api_key: '[REDACTED]' } });

    const svc = await call('POST', '/api/connections', {
      name: 'svc-main',
      connector: 'svc',
      values: { base_url: apiUrl, username: 'ada', password: PASSWORD, port: '8443' },
    });
    expect(svc.status).toBe(201);
    // Coerced by type, defaults applied, the password hidden.
    expect(svc.body.values).toEqual({
      base_url: apiUrl,
      username: 'ada',
      password: '[REDACTED]',
      port: 8443,
      region: 'eu',
    });

    expect((await call('GET', '/api/connections/svc-main')).body.values.password).toBe('[REDACTED]');
    const list = await call('GET', '/api/connections');
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['crm-main', 'svc-main']);
    expect(list.body.nextCursor).toBeNull();
    const paged = await call('GET', '/api/connections?limit=1');
    expect(paged.body.items).toHaveLength(1);
    const next = await call('GET', `/api/connections?limit=1&cursor=${paged.body.nextCursor}`);
    expect(next.body.items[0].name).toBe('svc-main');

    // PATCH merges; "[REDACTED]" keeps the stored secret.
    const patched = await call('PATCH', '/api/connections/svc-main', {
      values: { username: 'grace', password: '[REDACTED]' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.values).toMatchObject({ username: 'grace', password: '[REDACTED]', port: 8443 });
    const stored = await server.store.getConnection('svc-main');
    expect(server.vault.open('svc-main', stored!)).toMatchObject({ username: 'grace', password: PASSWORD });
    // null removes an optional value.
    expect(
      (await call('PATCH', '/api/connections/svc-main', { values: { port: null } })).body.values.port,
    ).toBeUndefined();

    expect((await call('DELETE', '/api/connections/crm-main')).status).toBe(204);
    expect((await call('GET', '/api/connections/crm-main')).status).toBe(404);
  });

  test('values are checked against the connection fields, with the path of the bad value', async () => {
    const base = { name: 'bad', connector: 'svc', values: { base_url: apiUrl, username: 'u', password: PASSWORD } };
    const wrongType = await call('POST', '/api/connections', { ...base, values: { ...base.values, port: 'eighty' } });
    expect(wrongType).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'values.port' } } });
    const missing = await call('POST', '/api/connections', { ...base, values: { base_url: apiUrl, username: 'u' } });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', path: 'values.password' } },
    });
    const unknown = await call('POST', '/api/connections', { ...base, values: { ...base.values, pasword: 'x' } });
    expect(unknown).toMatchObject({ status: 400, body: { error: { path: 'values.pasword' } } });
    const placeholder = await call('POST', '/api/connections', {
      ...base,
      values: { ...base.values, password: '[REDACTED]' },
    });
    expect(placeholder).toMatchObject({ status: 400, body: { error: { path: 'values.password' } } });
    const connector = await call('POST', '/api/connections', { ...base, connector: 'nope' });
    expect(connector).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'connector' } } });
    const name = await call('POST', '/api/connections', { ...base, name: 42 });
    expect(name).toMatchObject({ status: 400, body: { error: { path: 'name' } } });
    const slash = await call('POST', '/api/connections', { ...base, name: 'a/b' });
    expect(slash).toMatchObject({ status: 400, body: { error: { path: 'name' } } });
    const extra = await call('POST', '/api/connections', { ...base, value: {} });
    expect(extra).toMatchObject({ status: 400, body: { error: { path: 'value' } } });
    expect((await call('POST', '/api/connections', '[1,2]')).body.error.code).toBe('INVALID_REQUEST');
    expect((await call('POST', '/api/connections', '{"name": ')).body.error.code).toBe('MALFORMED_JSON');
    expect((await call('GET', '/api/connections?limit=0')).body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      path: 'limit',
    });
    expect((await call('GET', '/api/connections?cursor=zzz')).body.error).toMatchObject({
      code: 'INVALID_CURSOR',
      path: 'cursor',
    });
    // Nothing was stored by any of these.
    expect((await call('GET', '/api/connections/bad')).status).toBe(404);

    await call('POST', '/api/connections', { ...base, name: 'dup' });
    const dup = await call('POST', '/api/connections', { ...base, name: 'dup' });
    expect(dup).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT', path: 'name' } } });
    const rename = await call('PATCH', '/api/connections/dup', { name: 'other' });
    expect(rename).toMatchObject({ status: 400, body: { error: { path: 'name' } } });
    const badPatch = await call('PATCH', '/api/connections/dup', { values: { port: 'x' } });
    expect(badPatch).toMatchObject({ status: 400, body: { error: { path: 'values.port' } } });
    expect((await call('PATCH', '/api/connections/nope', { values: {} })).status).toBe(404);
    expect((await call('DELETE', '/api/connections/dup')).status).toBe(204);
  });

  test("test runs the connector's test; the session it acquires is saved, sealed", async () => {
    await createSvc('svc-ok', PASSWORD);
    const result = await call('POST', '/api/connections/svc-ok/test');
    expect(result).toEqual({ status: 200, body: { ok: true, message: 'The connection works' } });
    const stored = server.vault.open('svc-ok', (await server.store.getConnection('svc-ok'))!);
    expect(stored.session_token).toMatch(/^session-token-\d+-abcdef$/);
    // The acquired token is a secret too.
    expect((await call('GET', '/api/connections/svc-ok')).body.values.session_token).toBe('[REDACTED]');
    // The saved session is used next time: no new login.
    const before = sessions;
    expect((await call('POST', '/api/connections/svc-ok/test')).body.ok).toBe(true);
    expect(sessions).toBe(before);
  });

  test('a failing test answers ok: false with a message that holds no secret', async () => {
    await createSvc('svc-bad', WRONG);
    const result = await call('POST', '/api/connections/svc-bad/test');
    expect(result.status).toBe(200);
    expect(result.body.ok).toBe(false);
    expect(result.body.message).toMatch(/403/);
    expect(result.body.message).not.toContain(WRONG);

    const down = await createSvc('svc-down', PASSWORD, 'http://127.0.0.1:9/');
    expect(down.status).toBe(201);
    const refused = await call('POST', '/api/connections/svc-down/test');
    expect(refused.body.ok).toBe(false);
    expect(refused.body.message).not.toContain(PASSWORD);
    expect((await call('POST', '/api/connections/nope/test')).status).toBe(404);
  });

  test('no secret appears in any response body, nor in plain text in the database files', async () => {
    for (const body of bodies) {
      for (const secret of [PASSWORD, WRONG, CRM_KEY, 'session-token-']) expect(body).not.toContain(secret);
    }
    const db = join(server.home, 'weft.db');
    const bytes = Buffer.concat([await readFile(db), await readFile(`${db}-wal`).catch(() => Buffer.alloc(0))]);
    for (const secret of [PASSWORD, WRONG, CRM_KEY, 'session-token-', 'ada']) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });

  test('a connection sealed with another master key: clear errors, and the server still starts', async () => {
    const home = server.home;
    await server.close();
    const other = '11'.repeat(32);
    const warnings: string[] = [];
    server = await startServer({
      port: 0,
      home,
      connectorDirs: FIXTURES,
      env: { WEFT_MASTER_KEY: other },
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings.join('\n')).toMatch(/sealed with another master key.*WEFT_MASTER_KEY_PREVIOUS/s);
    const one = await call('GET', '/api/connections/svc-ok');
    expect(one).toMatchObject({ status: 409, body: { error: { code: 'VAULT_KEY_MISMATCH' } } });
    expect(one.body.error.message).toMatch(/rotate/);
    const list = await call('GET', '/api/connections');
    expect(list.status).toBe(200);
    expect(list.body.items[0].error.code).toBe('VAULT_KEY_MISMATCH');

    // Rotation: the old key (the generated key file) as previous key re-seals every row.
    const oldKey = (await readFile(join(home, 'master.key'), 'utf8')).trim();
    await server.close();
    server = await startServer({
      port: 0,
      home,
      connectorDirs: FIXTURES,
      env: { WEFT_MASTER_KEY: other, WEFT_MASTER_KEY_PREVIOUS: oldKey },
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings.at(-1)).toMatch(/re-sealed \d+ connection/);
    expect((await call('GET', '/api/connections/svc-ok')).status).toBe(200);
    expect(await server.store.connectionsNotSealedWith(server.vault.keyId)).toEqual([]);
  });

  test('a bad WEFT_MASTER_KEY stops the start with a clear message', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-conn-'));
    await expect(
      startServer({ port: 0, home, connectorDirs: FIXTURES, env: { WEFT_MASTER_KEY: 'nope' } }),
    ).rejects.toThrow(/WEFT_MASTER_KEY must be a key of 32 bytes/);
  });
});
