import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

let server: RunningServer;
const bodies: string[] = [];
const call = apiCaller(
  () => server,
  (text) => bodies.push(text),
);

/** The status a WebSocket upgrade to `/agents/connect` gets on `url` with this key. */
function upgradeStatus(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/agents/connect`, {
      headers: { authorization: `Bearer ${key}` },
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-agents-api-'));
  server = await startServer({ port: 0, home, connectorDirs: [], env: { WEFT_CONNECTORS: home }, onWarning: () => {} });
});

afterAll(async () => {
  await server.close();
});

describe('agents API', () => {
  test('register: the key once, only its hash kept; list, read, rotate, revoke', async () => {
    const created = await call('POST', '/api/agents', { name: 'plant-1', group: 'plant' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^weft_agent_[A-Za-z0-9_-]{43}$/);
    expect(created.body.agent).toMatchObject({ name: 'plant-1', group: 'plant', online: false, requestsServed: 0 });
    const key = created.body.key;

    const list = await call('GET', '/api/agents');
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual(['plant-1']);
    expect((await call('GET', '/api/agents/plant-1')).body).toMatchObject({ name: 'plant-1', online: false });

    const rotated = await call('POST', '/api/agents/plant-1/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(key);
    expect(await upgradeStatus(server.url, key)).toBe(401);

    expect((await call('DELETE', '/api/agents/plant-1')).status).toBe(204);
    expect(await upgradeStatus(server.url, rotated.body.key)).toBe(401);
    // Keys appear only in the answers that hand them out, never in a list or a read.
    expect(bodies.filter((b) => b.includes(key)).length).toBe(1);
    expect(bodies.some((b) => /keyHash|key_hash/.test(b))).toBe(false);
  });

  test('typed errors: bad names, taken names, unknown agents, no token', async () => {
    const badName = await call('POST', '/api/agents', { name: 'no spaces', group: 'g' });
    expect(badName).toMatchObject({ status: 400, body: { error: { code: 'NAME_INVALID', path: 'name' } } });
    const badGroup = await call('POST', '/api/agents', { name: 'ok', group: 'a\u202Eb' });
    expect(badGroup).toMatchObject({ status: 400, body: { error: { code: 'NAME_INVALID', path: 'group' } } });
    const missing = await call('POST', '/api/agents', { name: 'ok' });
    expect(missing.status).toBe(400);
    await call('POST', '/api/agents', { name: 'twice', group: 'g' });
    expect((await call('POST', '/api/agents', { name: 'twice', group: 'g' })).status).toBe(409);
    for (const [method, path] of [
      ['GET', '/api/agents/nobody'],
      ['DELETE', '/api/agents/nobody'],
      ['POST', '/api/agents/nobody/rotate'],
    ]) {
      expect(await call(method, path)).toMatchObject({ status: 404, body: { error: { code: 'AGENT_NOT_FOUND' } } });
    }
    const res = await fetch(`${server.url}/api/agents`);
    expect(res.status).toBe(401);
  });

  test('the tunnel endpoint: no key or a made-up one is a 401; other upgrade paths a 404', async () => {
    expect(await upgradeStatus(server.url, '')).toBe(401);
    expect(await upgradeStatus(server.url, 'weft_agent_made-up')).toBe(401);
    expect(await upgradeStatus(server.url, server.token.token)).toBe(401);
    const other = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/agents`);
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('error', reject);
    });
    expect(other).toBe(404);
  });

  test('a process without the ingress role refuses agents with 421', async () => {
    const home = await mkdtemp(join(tmpdir(), 'weft-agents-api-'));
    const apiOnly = await startServer({
      port: 0,
      home,
      connectorDirs: [home],
      env: {},
      onWarning: () => {},
      roles: 'api',
    });
    try {
      const created = await fetch(`${apiOnly.url}/api/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiOnly.token.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a', group: 'g' }),
      });
      const { key } = (await created.json()) as { key: string };
      expect(await upgradeStatus(apiOnly.url, key)).toBe(421);
    } finally {
      await apiOnly.close();
    }
  });
});
