/**
 * `weft mcp` through the built CLI and the MCP SDK's own client over stdio: the tools and their
 * input schemas (static, nested, pick-list and dynamic fields), a call answering the connector's
 * result, a failing call as a tool error without the secret, and a bad settings file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BIN, json, runWeft, startServer, type TestServer } from './test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./__fixtures__/mcp/acme/connector.ts', import.meta.url));
const API_KEY = 'sk-live-7f3a9c2e41d8';

let api: TestServer;
let dir: string;
let client: Client;
let stderr = '';
let settings: string;

function start(...flags: string[]): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', CONNECTOR, '--settings', settings, ...flags],
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return { client: new Client({ name: 'weft-test', version: '1.0.0' }), transport };
}

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { error: 'no key' });
    if (req.url === '/custom_fields') {
      return json(res, 200, [
        { name: 'region', type: 'string' },
        { name: 'seats', type: 'integer' },
      ]);
    }
    if (req.url === '/contacts') return json(res, 201, { id: 'c_1', ...JSON.parse(body) });
    if (req.url === '/refuse') return json(res, 403, { error: `key ${API_KEY} is suspended` });
    json(res, 404, { error: 'not found' });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-mcp-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}\napi_key: ${API_KEY}\n`);
  const started = start();
  client = started.client;
  await client.connect(started.transport);
}, 30_000);
afterAll(async () => {
  await client?.close();
  await api?.close();
});

test('lists the actions as tools with descriptions and input schemas, dynamic fields resolved', async () => {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(['create_contact', 'find_records', 'rejected']);
  const create = tools[0];
  expect(create.description).toBe(
    'Acme CRM: Create contact.\n\nCreates a contact in Acme CRM.\n\nThe e-mail address must be unique.',
  );
  expect(create.inputSchema).toMatchObject({
    type: 'object',
    required: ['email'],
    additionalProperties: false,
    properties: {
      email: { type: 'string', description: 'Their e-mail address' },
      age: { type: 'integer' },
      status: { type: 'string', enum: ['active', 'archived'] },
      priority: { type: 'string', enum: ['low', 'high'] },
      tags: { type: 'array', items: { type: 'string' } },
      address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
      'x-source': { type: 'string' },
    },
  });
  // Editor hints (x-controlType, x-pickList, ...) are left out; a field's own name stays.
  expect(JSON.stringify(create.inputSchema).match(/"x-[a-zA-Z]+"/g)).toEqual(['"x-source"']);
  const find = tools[1];
  expect(find.description).toBe(
    'Acme CRM: Find records.\n\nFinds records by the fields the account defines.\n\n' +
      'Gives the first 100 records.\n\nMore: https://acme.example/help/find',
  );
  expect(Object.keys(find.inputSchema.properties ?? {})).toEqual(['region', 'seats']);
  expect(find.inputSchema.properties?.seats).toMatchObject({ type: 'integer' });
});

test("a call answers the connector's result as structured content and JSON text", async () => {
  const result = await client.callTool({
    name: 'create_contact',
    arguments: { email: 'ann@example.com', status: 'active', address: { city: 'Oslo' } },
  });
  expect(result.isError).toBeFalsy();
  const expected = { id: 'c_1', email: 'ann@example.com', status: 'active', address: { city: 'Oslo' } };
  expect(result.structuredContent).toEqual(expected);
  const [content] = result.content as { type: string; text: string }[];
  expect(JSON.parse(content.text)).toEqual(expected);
  expect(api.requests.at(-1)!.headers['x-api-key']).toBe(API_KEY);
  expect(stderr).toContain('creating a contact');
});

test("a failing call is a tool error with the connector's message and no secret", async () => {
  const result = await client.callTool({ name: 'rejected', arguments: {} });
  expect(result.isError).toBe(true);
  const [content] = result.content as { type: string; text: string }[];
  expect(content.text).toContain('403');
  expect(content.text).toContain('is suspended');
  expect(content.text).not.toContain(API_KEY);
  expect(stderr).not.toContain(API_KEY);

  const invalid = await client.callTool({ name: 'create_contact', arguments: { age: 3 } });
  expect(invalid.isError).toBe(true);
  expect((invalid.content as { text: string }[])[0].text).toMatch(/email/);

  const unknown = await client.callTool({ name: 'old_action', arguments: {} });
  expect(unknown.isError).toBe(true);
  expect((unknown.content as { text: string }[])[0].text).toContain('No tool named "old_action"');
});

test('with --isolate the connector runs in a connector host: the same tools and results', async () => {
  const isolated = start('--isolate');
  await isolated.client.connect(isolated.transport);
  try {
    const { tools } = await isolated.client.listTools();
    expect(tools).toEqual((await client.listTools()).tools);
    const result = await isolated.client.callTool({ name: 'create_contact', arguments: { email: 'eve@example.com' } });
    expect(result.structuredContent).toEqual({ id: 'c_1', email: 'eve@example.com' });
  } finally {
    await isolated.client.close();
  }
});

test('a bad settings file: one clear error on stderr, nothing on stdout, a non-zero exit', async () => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'base_url: [unclosed\n');
  const result = await runWeft(['mcp', CONNECTOR, '--settings', bad]);
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^weft: .*bad\.yaml/);
  expect(lines.length).toBeLessThanOrEqual(2);
});
