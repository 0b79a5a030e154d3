/**
 * `/mcp` of a real `weft serve`, with the MCP SDK's own client over Streamable HTTP: no token is
 * a 401; a scoped token (POST /api/mcp-tokens) lists and calls the actions of its connections
 * only, in the connector's isolated hosts; the admin token sees every connection; a deleted
 * token stops working, and a scoped token opens no `/api` route.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiCall, json, type RunningWeft, startServer, startWeft, type TestServer } from './test-helpers.js';

const CONNECTORS = fileURLToPath(new URL('./__fixtures__/mcp', import.meta.url));
const ADMIN = 'admin-token-for-the-mcp-test-0123';
const KEY_A = 'sk-live-a-5b1e9d0c77';
const KEY_B = 'sk-live-b-2f8a6c4e19';

let api: TestServer;
let weft: RunningWeft;
let url: string;
const call = apiCall(ADMIN);
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'weft-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    const key = req.headers['x-api-key'];
    if (key !== KEY_A && key !== KEY_B) return json(res, 401, { error: 'no key' });
    if (req.url === '/custom_fields')
      return json(res, 200, [{ name: key === KEY_A ? 'region' : 'team', type: 'string' }]);
    if (req.url === '/contacts')
      return json(res, 201, { id: 'c_9', key: key === KEY_A ? 'a' : 'b', ...JSON.parse(body) });
    if (req.url === '/refuse') return json(res, 403, { error: `key ${key} is suspended` });
    json(res, 404, { error: 'not found' });
  });
  const home = await mkdtemp(join(tmpdir(), 'weft-mcp-http-'));
  weft = startWeft(['serve', '--port', '0', '--connectors', CONNECTORS], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: ADMIN },
  });
  [, url] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
  for (const [name, key] of [
    ['crm_a', KEY_A],
    ['crm_b', KEY_B],
  ]) {
    await call(url, 'POST', '/api/connections', {
      name,
      connector: 'acme',
      values: { base_url: api.url, api_key: key },
    });
  }
}, 60_000);
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await weft?.stop();
  await api?.close();
});

test('without a token, or with a wrong one, /mcp is a 401 and the client cannot connect', async () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  for (const authorization of [undefined, 'Bearer weft_mcp_made-up', `Bearer ${ADMIN}x`]) {
    for (const target of ['/mcp', '/%6dcp']) {
      const res = await fetch(`${url}${target}`, {
        method: 'POST',
        headers: authorization ? { ...headers, authorization } : headers,
        body,
      });
      expect(res.status, `${target} with ${authorization}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  }
  await expect(connect('weft_mcp_made-up')).rejects.toThrow(/401|Unauthorized/i);
});

test('a scoped token lists and calls the actions of its connections only', async () => {
  const created = await call(url, 'POST', '/api/mcp-tokens', { name: 'assistant', connections: ['crm_a'] });
  expect(created).toMatchObject({ name: 'assistant', connections: ['crm_a'] });
  expect(created.token).toMatch(/^weft_mcp_/);
  const listed = await call(url, 'GET', '/api/mcp-tokens');
  expect(listed.items).toEqual([{ name: 'assistant', connections: ['crm_a'], createdAt: created.createdAt }]);

  const client = await connect(created.token);
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(['crm_a__create_contact', 'crm_a__find_records', 'crm_a__rejected']);
  // Dynamic fields, resolved with crm_a's connection.
  expect(Object.keys(tools[1].inputSchema.properties ?? {})).toEqual(['region']);
  expect(tools[0].inputSchema).toMatchObject({ required: ['email'] });

  const result = await client.callTool({ name: 'crm_a__create_contact', arguments: { email: 'ann@example.com' } });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toEqual({ id: 'c_9', key: 'a', email: 'ann@example.com' });

  const other = await client.callTool({ name: 'crm_b__create_contact', arguments: { email: 'bob@example.com' } });
  expect(other.isError).toBe(true);
  expect(api.requests.filter((r) => r.headers['x-api-key'] === KEY_B)).toEqual([]);

  const failed = await client.callTool({ name: 'crm_a__rejected', arguments: {} });
  expect(failed.isError).toBe(true);
  const [content] = failed.content as { text: string }[];
  expect(content.text).toContain('is suspended');
  expect(content.text).not.toContain(KEY_A);

  // The scoped token opens no /api route.
  const res = await fetch(`${url}/api/connections`, { headers: { authorization: `Bearer ${created.token}` } });
  expect(res.status).toBe(401);

  await call(url, 'DELETE', '/api/mcp-tokens/assistant');
  await expect(client.listTools()).rejects.toThrow(/401|Unauthorized/i);
});

test('the admin token sees the tools of every connection', async () => {
  const client = await connect(ADMIN);
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual([
    'crm_a__create_contact',
    'crm_a__find_records',
    'crm_a__rejected',
    'crm_b__create_contact',
    'crm_b__find_records',
    'crm_b__rejected',
  ]);
  expect(Object.keys(tools[4].inputSchema.properties ?? {})).toEqual(['team']);
  const result = await client.callTool({ name: 'crm_b__create_contact', arguments: { email: 'bob@example.com' } });
  expect(result.structuredContent).toMatchObject({ key: 'b' });
});

test('a token naming an unknown connection is refused', async () => {
  await expect(call(url, 'POST', '/api/mcp-tokens', { name: 'x', connections: ['nope'] })).rejects.toThrow(
    /404.*CONNECTION_NOT_FOUND/,
  );
});

test('a connection whose name assistants would refuse in a tool name gets short, safe, stable names that still call', async () => {
  const name = 'crm.eu-west.production-account-of-the-sales-operations-team';
  await call(url, 'POST', '/api/connections', {
    name,
    connector: 'acme',
    values: { base_url: api.url, api_key: KEY_A },
  });
  const created = await call(url, 'POST', '/api/mcp-tokens', { name: 'long', connections: [name] });
  const client = await connect(created.token);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toHaveLength(3);
  // Letters, digits, `_` and `-`, at most 64: the connection shortened, the action kept.
  expect(names).toEqual([
    expect.stringMatching(/^crm_eu-west_production-account-of-the-s__create_contact_[0-9a-f]{8}$/),
    expect.stringMatching(/^crm_eu-west_production-account-of-the-sal__find_records_[0-9a-f]{8}$/),
    expect.stringMatching(/^crm_eu-west_production-account-of-the-sales-o__rejected_[0-9a-f]{8}$/),
  ]);
  for (const tool of names) expect(tool.length).toBeLessThanOrEqual(64);
  // The same names on the next listing: an assistant may keep them.
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(names);
  const result = await client.callTool({ name: names[0], arguments: { email: 'eve@example.com' } });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toEqual({ id: 'c_9', key: 'a', email: 'eve@example.com' });
  // The long name as it would be unshortened is no tool.
  const unshortened = await client.callTool({ name: `${name}__create_contact`, arguments: {} });
  expect(unshortened.isError).toBe(true);
});
