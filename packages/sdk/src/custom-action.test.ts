import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCustomAction } from './custom-action.js';
import { execute } from './execute/executor.js';
import { closeHttp } from './http/index.js';
import { loadConnectorFile } from './load/load.js';
import { checkOutput } from './schema/index.js';
import type { ConnectorDefinition, Field } from './types.js';
import { validateConnector } from './validate/index.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const status = req.url?.startsWith('/api/missing') ? 404 : 200;
      const reply = req.url?.startsWith('/api/list') ? [{ id: 1 }, { id: 2 }] : { ok: status === 200, path: req.url };
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeHttp();
});

const last = () => received[received.length - 1];

function connector(extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition {
  return {
    title: 'Acme',
    connection: {
      fields: [{ name: 'api_key', controlType: 'password' }],
      authorization: {
        type: 'api_key',
        apply: (ctx) => ctx.headers({ 'x-api-key': ctx.connection.api_key }),
      },
      baseUri: () => `${baseUrl}/api/`,
    },
    actions: { ping: { execute: () => ({ ok: true }) } },
    customAction: true,
    ...extra,
  };
}

const run = (input: Record<string, unknown>) =>
  execute(withCustomAction(connector()), 'actions.custom_action.execute', {
    connection: { api_key: 'secret-key' },
    input,
  });

describe('withCustomAction', () => {
  it('adds custom_action without touching the definition', () => {
    const def = connector();
    const out = withCustomAction(def);
    expect(out).not.toBe(def);
    expect(Object.keys(def.actions!)).toEqual(['ping']);
    expect(Object.keys(out.actions!)).toEqual(['ping', 'custom_action']);
    expect(out.actions!.custom_action).toMatchObject({
      title: 'Custom action',
      description: "Call any endpoint of Acme with this connection's authorization",
    });
    expect(validateConnector(out)).toEqual([]);
    expect(withCustomAction(out)).toBe(out);
  });

  it('leaves a connector without customAction: true unchanged', () => {
    for (const customAction of [undefined, false]) {
      const def = connector({ customAction });
      expect(withCustomAction(def)).toBe(def);
    }
    expect(withCustomAction(null)).toBe(null);
  });

  it('reports an action of the connector named custom_action', () => {
    const def = connector({ actions: { custom_action: { execute: () => ({}) } } });
    expect(withCustomAction(def)).toBe(def);
    expect(validateConnector(withCustomAction(def))).toEqual([
      { path: 'actions.custom_action', message: expect.stringContaining('customAction: true') },
    ]);
    expect(
      validateConnector(connector({ customAction: false, actions: { custom_action: { execute: () => ({}) } } })),
    ).toEqual([]);
  });

  it('takes options: { authorizeOtherOrigins } adds the action; other keys and types are reported', () => {
    const opted = withCustomAction(connector({ customAction: { authorizeOtherOrigins: true } }));
    expect(Object.keys(opted.actions!)).toContain('custom_action');
    expect(validateConnector(opted)).toEqual([]);
    // Not a ConnectorDefinition on purpose (a string where a boolean belongs): what a JavaScript file may export.
    const misspelt: unknown = { ...connector(), customAction: { authorizeOtherOrigins: 'yes', everywhere: true } };
    expect(validateConnector(misspelt)).toEqual([
      expect.objectContaining({ path: 'customAction.everywhere' }),
      expect.objectContaining({ path: 'customAction.authorizeOtherOrigins' }),
    ]);
  });

  it('declares output fields that accept an object, a list of records or null', () => {
    const fields = withCustomAction(connector()).actions!.custom_action.outputFields as Field[];
    for (const body of [{ a: 1 }, [{ id: 1 }], null]) expect(checkOutput(fields, { body })).toEqual([]);
  });
});

describe('custom_action.execute', () => {
  it('sends a GET with query and headers, with the authorization applied', async () => {
    const result = await run({ path: 'contacts', query: { q: 'ann lee', limit: '5' }, headers: { 'X-Trace': 't1' } });
    expect(result).toMatchObject({
      kind: 'output',
      output: { body: { ok: true, path: '/api/contacts?q=ann%20lee&limit=5' } },
    });
    expect(last()).toMatchObject({ method: 'GET', body: '' });
    expect(last().headers['x-api-key']).toBe('secret-key');
    expect(last().headers['x-trace']).toBe('t1');
  });

  it('passes a list response through as body', async () => {
    const result = await run({ method: 'GET', path: 'list' });
    expect(result).toMatchObject({ output: { body: [{ id: 1 }, { id: 2 }] } });
  });

  it('accepts an absolute URL and ignores a body for DELETE', async () => {
    await run({ method: 'DELETE', path: `${baseUrl}/other/1`, body: { ignored: true } });
    expect(last()).toMatchObject({ method: 'DELETE', url: '/other/1', body: '' });
    expect(last().headers['x-api-key']).toBe('secret-key');
  });

  it('sends a POST JSON body', async () => {
    await run({ method: 'POST', path: 'contacts', body: { name: 'Ann', tags: ['a'] } });
    expect(last()).toMatchObject({ method: 'POST', url: '/api/contacts' });
    expect(last().headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(last().body)).toEqual({ name: 'Ann', tags: ['a'] });
  });

  it('sends a form body', async () => {
    await run({ method: 'PUT', path: 'contacts/1', body: { name: 'Ann Lee' }, requestFormat: 'form' });
    expect(last()).toMatchObject({ method: 'PUT', url: '/api/contacts/1', body: 'name=Ann+Lee' });
    expect(last().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('sends a multipart body', async () => {
    await run({ method: 'PATCH', path: 'contacts/1', body: { name: 'Ann' }, requestFormat: 'multipart' });
    expect(last().headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(last().body).toContain('name="name"');
  });

  it('fails a 4xx answer with HTTP_ERROR', async () => {
    await expect(run({ path: 'missing' })).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 404 });
  });
});

describe('loadConnectorFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-custom-action-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exposes custom_action of a connector with customAction: true', async () => {
    const file = join(dir, 'acme.ts');
    await writeFile(
      file,
      `export default { title: 'Acme', customAction: true, actions: { ping: { execute: () => ({}) } } };\n`,
    );
    const loaded = await loadConnectorFile(file);
    expect(Object.keys(loaded.definition.actions ?? {})).toEqual(['ping', 'custom_action']);
  });

  it('rejects a connector that also defines custom_action', async () => {
    const file = join(dir, 'clash.ts');
    await writeFile(
      file,
      `export default { title: 'Clash', customAction: true, actions: { custom_action: { execute: () => ({}) } } };\n`,
    );
    await expect(loadConnectorFile(file)).rejects.toMatchObject({ code: 'DEFINITION_INVALID' });
  });
});
