import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { runOperation } from '../connector-runtime.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [
  fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url)),
  fileURLToPath(new URL('../__fixtures__/form-connectors', import.meta.url)),
];
const NOTES = fileURLToPath(new URL('../__fixtures__/push/notes', import.meta.url));

let server: RunningServer;
let home: string;

async function start() {
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
}

const call = apiCaller(() => server);

/** A handwritten source, as a bundle would look: `@weft/sdk` stays a bare import. */
const notesSource = (label: string, extra = '') => `import { defineConnector } from "@weft/sdk";
export default defineConnector({
  title: "Fixture notes",
  ${extra}
  actions: {
    add_note: {
      inputFields: [{ name: "text" }],
      outputFields: [{ name: "label" }],
      execute: (ctx) => ({ label: ${JSON.stringify(label)} + ctx.input.text }),
    },
  },
});
`;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'weft-connectors-'));
  await start();
});
afterAll(async () => {
  await server.close();
});

describe('POST /api/connectors (push)', () => {
  let firstSource: string;

  test('a bundled connector becomes a connector with version 1, written below $WEFT_HOME', async () => {
    const loaded = await loadConnectorFile(NOTES);
    firstSource = loaded.source;
    const res = await call('POST', '/api/connectors', { source: loaded.source, name: 'notes' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'notes',
      title: 'Fixture notes',
      version: 1,
      actions: ['add_note'],
      triggers: [],
      origin: 'push',
      created: true,
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const file = join(home, 'connectors', 'notes', '1.mjs');
    expect(existsSync(file)).toBe(true);
    // @weft/sdk resolves to the platform's SDK, wherever the file is.
    expect(await readFile(file, 'utf8')).toMatch(/from\s*"file:\/\/[^"]+\/index\.js"/);
    const listed = (await call('GET', '/api/connectors')).body.items.map((c: { name: string }) => c.name);
    expect(listed).toContain('notes');
    const described = await call('GET', '/api/connectors/notes');
    expect(described.body.actions[0]).toMatchObject({ name: 'add_note', inputFields: { dynamic: false } });
    const definition = await server.registry.definitionAt('notes', 1);
    expect(definition.title).toBe('Fixture notes');
  });

  test('the same source again keeps its version', async () => {
    const res = await call('POST', '/api/connectors', { source: firstSource, name: 'notes' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'notes', version: 1, created: false });
  });

  test('a definition with problems is a 400 listing each problem by its path; nothing is saved', async () => {
    const source = 'export default { title: "Broken", actions: { a: { execute: 42 } }, pickLists: { p: 1 } };';
    const res = await call('POST', '/api/connectors', { source, name: 'notes' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'DEFINITION_INVALID',
      path: 'pickLists.p',
      message: expect.stringContaining('actions.a.execute: must be a function'),
      problems: expect.arrayContaining([
        { path: 'actions.a.execute', message: expect.any(String) },
        { path: 'pickLists.p', message: expect.any(String) },
      ]),
    });
    expect(res.body.error.message).not.toMatch(/\n\s+at /);
    expect((await call('GET', '/api/connectors/notes/versions')).body.items).toHaveLength(1);
    // No copy of the refused source is kept (in-process trial files, or a host's bundle).
    const kept = async (dir: string) => readdir(join(home, 'connectors', dir)).catch(() => []);
    expect(await kept('.incoming')).toEqual([]);
    const bundles = await kept('.bundles');
    const contents = await Promise.all(bundles.map((f) => readFile(join(home, 'connectors', '.bundles', f), 'utf8')));
    expect(contents.filter((c) => c.includes('"Broken"'))).toEqual([]);
  });

  test('a pushed connector with `customAction: true` offers its custom action', async () => {
    const source =
      'export default { title: "Open API", customAction: true, connection: { fields: [{ name: "base" }], baseUri: (ctx) => ctx.connection.base }, actions: {} };';
    const res = await call('POST', '/api/connectors', { source, name: 'open-api' });
    expect(res.status).toBe(201);
    expect(res.body.actions).toEqual(['custom_action']);
    const described = await call('GET', '/api/connectors/open-api');
    expect(described.body.actions[0].name).toBe('custom_action');
  });

  test('a source that does not load, or exports nothing, is a 400 at `source`', async () => {
    const syntax = await call('POST', '/api/connectors', { source: 'export default {', name: 'x1' });
    expect(syntax.status).toBe(400);
    expect(syntax.body.error).toMatchObject({ code: 'CONNECTOR_NOT_LOADABLE', path: 'source' });
    const throws = await call('POST', '/api/connectors', { source: 'throw new Error("nope at load")', name: 'x2' });
    expect(throws.body.error).toMatchObject({
      code: 'CONNECTOR_NOT_LOADABLE',
      message: expect.stringContaining('nope at load'),
    });
    const missing = await call('POST', '/api/connectors', {
      source: 'import pad from "left-pad-not-installed"; export default pad;',
      name: 'x4',
    });
    expect(missing.body.error.message).toMatch(/Cannot find package 'left-pad-not-installed' imported from the source/);
    const none = await call('POST', '/api/connectors', { source: 'export const a = 1;', name: 'x3' });
    expect(none.body.error).toMatchObject({ code: 'CONNECTOR_NO_DEFAULT_EXPORT', path: 'source' });
    const names = (await call('GET', '/api/connectors')).body.items.map((c: { name: string }) => c.name);
    expect(names).not.toContain('x1');
    expect((await call('GET', '/api/connectors/x3/versions')).status).toBe(404);
  });

  test('a source may be larger than the 1 MiB other routes take', async () => {
    const big = `${notesSource('big: ', 'name: "big-notes",')}\n// ${'x'.repeat(3 * 1024 * 1024)}\n`;
    const res = await call('POST', '/api/connectors', { source: big, name: 'big-notes' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'big-notes', version: 1 });
  });

  test('bad bodies are 400s with their path', async () => {
    const cases: [unknown, string | undefined, RegExp][] = [
      [{ name: 'notes' }, 'source', /is required/],
      [{ source: 42, name: 'notes' }, 'source', /must be a string/],
      [{ source: notesSource('a') }, 'name', /is required: the connector's name, checked before its code runs/],
      [{ source: notesSource('a'), name: '../etc' }, 'name', /letters, digits/],
      [{ source: notesSource('a', 'name: "memo",'), name: 'notes' }, 'name', /names this connector "memo"/],
      [{ source: notesSource('a'), nam: 'notes' }, 'nam', /unknown key/],
    ];
    for (const [body, path, message] of cases) {
      const res = await call('POST', '/api/connectors', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.path).toBe(path);
      expect(res.body.error.message).toMatch(message);
    }
  });

  test('a new source is a new version; recipes stay pinned to theirs and still run with it', async () => {
    const recipe = await call('POST', '/api/recipes', {
      name: 'Notes',
      trigger: { connector: 'chat', trigger: 'mention' },
      steps: [{ id: 'note', connector: 'notes', action: 'add_note', input: { text: '=trigger.text' } }],
    });
    expect(recipe.status).toBe(201);
    expect(recipe.body.connectorVersions.notes).toBe(1);

    const pushed = await call('POST', '/api/connectors', { source: notesSource('v2: '), name: 'notes' });
    expect(pushed.status).toBe(201);
    expect(pushed.body).toMatchObject({ version: 2, created: true });
    expect((await call('GET', `/api/recipes/${recipe.body.id}`)).body.connectorVersions.notes).toBe(1);

    const run = async (version: number) => {
      const definition = await server.registry.definitionAt('notes', version);
      const operation = { kind: 'action', action: 'add_note', input: { text: 'hi' } } as const;
      const result = await runOperation(definition, operation);
      return result.kind === 'output' ? result.output : result;
    };
    expect(await run(1)).toEqual({ label: 'note: hi' });
    expect(await run(2)).toEqual({ label: 'v2: hi' });
    // Cached: the same definition object every time.
    expect(await server.registry.definitionAt('notes', 1)).toBe(await server.registry.definitionAt('notes', 1));
    await expect(server.registry.definitionAt('notes', 9)).rejects.toMatchObject({
      code: 'CONNECTOR_NOT_FOUND',
      message: expect.stringContaining('versions: 2, 1'),
    });

    const versions = await call('GET', '/api/connectors/notes/versions');
    expect(versions.body.items.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const source = await call('GET', '/api/connectors/notes/source');
    expect(source.body).toEqual({ name: 'notes', version: 2, source: notesSource('v2: ') });
    const old = await call('GET', '/api/connectors/notes/source?version=1');
    expect(old.body.source).toBe(firstSource);
    expect((await call('GET', '/api/connectors/notes/source?version=7')).body.error).toMatchObject({
      code: 'CONNECTOR_VERSION_NOT_FOUND',
      path: 'version',
    });
    expect((await call('GET', '/api/connectors/notes/source?version=x')).status).toBe(400);
    expect((await call('GET', '/api/connectors/nope/source')).body.error.code).toBe('CONNECTOR_NOT_FOUND');
  });

  test('after a restart, pushed connectors are loaded from the store, and a push outlives an unchanged folder', async () => {
    const chat = await call('POST', '/api/connectors', {
      source: `import { defineConnector } from '@weft/sdk';
export default defineConnector({
  title: 'Pushed chat',
  actions: { post_message: { inputFields: [{ name: 'text' }], outputFields: [{ name: 'ts' }], execute: () => ({ ts: 'pushed' }) } },
  triggers: { mention: { outputFields: [{ name: 'text' }], webhookNotification: (ctx) => ctx.payload } },
  webhookKeys: () => '',
});`,
      name: 'chat',
    });
    expect(chat.body).toMatchObject({ version: 2, created: true });

    await server.close();
    await start();
    expect(server.registry.get('notes')?.version.version).toBe(2);
    expect(server.registry.get('chat')).toMatchObject({
      version: { version: 2 },
      definition: { title: 'Pushed chat' },
    });
    expect(server.registry.problems).toEqual([]);
    const v1 = await server.registry.definitionAt('notes', 1);
    const again = await runOperation(v1, { kind: 'action', action: 'add_note', input: { text: 'again' } });
    expect(again.kind === 'output' && again.output).toEqual({ label: 'note: again' });
    // The folder's own version is still there for recipes pinned to it.
    expect((await server.registry.definitionAt('chat', 1)).title).toBe('Fixture chat');
  });
});

describe('POST /api/connectors/:name/fields', () => {
  let api: Server;
  let apiUrl: string;
  const seenKeys: (string | undefined)[] = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      seenKeys.push(req.headers['x-api-key'] as string | undefined);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/objects') {
        return send(200, [
          { label: 'Contact', id: 'contact' },
          { label: 'Deal', id: 'deal' },
        ]);
      }
      if (url.pathname === '/objects/contact/fields') return send(200, { fields: [{ name: 'email', type: 'string' }] });
      if (url.pathname === '/objects/deal/fields') {
        return send(200, {
          fields: [
            { name: 'amount', type: 'number' },
            { name: 'closed', type: 'boolean' },
          ],
        });
      }
      if (url.pathname === '/states') {
        const states: Record<string, { name: string; code: string }[]> = {
          US: [
            { name: 'Ohio', code: 'OH' },
            { name: 'Utah', code: 'UT' },
          ],
          FR: [],
        };
        return send(200, states[url.searchParams.get('country') ?? ''] ?? []);
      }
      send(404, { error: `no ${url.pathname}` });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
    const created = await call('POST', '/api/connections', {
      name: 'forms-main',
      connector: 'forms',
      values: { base_url: apiUrl, api_key: 'sk-forms-secret-123' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
  });

  const fields = (body: unknown) => call('POST', '/api/connectors/forms/fields', body);

  test('dynamic input fields depend on the config fields and call the API with the connection', async () => {
    const contact = await fields({
      connection: 'forms-main',
      action: 'create_record',
      configFields: { object: 'contact' },
    });
    expect(contact.status).toBe(200);
    expect(contact.body.fields.map((f: { name: string }) => f.name)).toEqual(['email', 'country', 'state']);
    const state = contact.body.fields[2];
    expect(state).toMatchObject({
      pickList: 'states',
      pickListParams: { country: 'country' },
      ngIf: 'input.country != null',
      toggleHint: 'Pick a state',
      toggleField: { name: 'state', controlType: 'text', toggleHint: 'Type a state code' },
    });
    expect(contact.body.schema).toMatchObject({ type: 'object', required: ['email'] });
    expect(seenKeys.at(-1)).toBe('sk-forms-secret-123');

    const deal = await fields({
      connection: 'forms-main',
      action: 'create_record',
      kind: 'input',
      configFields: { object: 'deal' },
    });
    expect(deal.body.fields.slice(0, 2)).toEqual([
      { name: 'amount', type: 'number' },
      { name: 'closed', type: 'boolean' },
    ]);
    expect(deal.body.schema.properties.amount).toMatchObject({ type: 'number' });
  });

  test('config fields, and dynamic output fields of a trigger', async () => {
    const config = await fields({ action: 'create_record', kind: 'config' });
    expect(config.body.fields).toEqual([{ name: 'object', controlType: 'select', pickList: 'objects' }]);
    const output = await fields({ trigger: 'new_record', kind: 'output', configFields: { object: 'deal' } });
    expect(output.body.fields).toEqual([{ name: 'id' }, { name: 'deal_name' }]);
  });

  test('pick lists: from the API, dependent (args) and tree (args.parentId)', async () => {
    expect((await fields({ connection: 'forms-main', pickList: 'objects' })).body).toEqual({
      options: [
        ['Contact', 'contact'],
        ['Deal', 'deal'],
      ],
    });
    const states = await fields({ connection: 'forms-main', pickList: 'states', args: { country: 'US' } });
    expect(states.body).toEqual({
      options: [
        ['Ohio', 'OH'],
        ['Utah', 'UT'],
      ],
    });
    expect((await fields({ pickList: 'folders' })).body.options).toEqual([['Root', 'root', 'root', true]]);
    expect((await fields({ pickList: 'folders', args: { parentId: 'root' } })).body.options).toEqual([
      ['Child of root', 'root/child', 'root/child', false],
    ]);
  });

  test("a connector's error is a 422 with its message, secrets redacted, no stack", async () => {
    const failing = await fields({ connection: 'forms-main', pickList: 'failing' });
    expect(failing).toEqual({
      status: 422,
      body: { error: { code: 'CONNECTOR_ERROR', message: 'The API refused key [REDACTED]' } },
    });
    const http = await fields({ connection: 'forms-main', action: 'create_record', configFields: { object: 'ghost' } });
    expect(http.status).toBe(422);
    expect(http.body.error.code).toBe('HTTP_ERROR');
    expect(http.body.error.message).toMatch(/GET .*objects\/ghost\/fields failed with HTTP 404/);
    expect(JSON.stringify(http.body)).not.toContain('sk-forms-secret-123');
  });

  test('bad requests name what is wrong', async () => {
    const cases: [unknown, number, string | undefined, RegExp][] = [
      [{}, 400, undefined, /give "action" or "trigger"/],
      [{ action: 'create_record', pickList: 'states' }, 400, 'pickList', /only one/],
      [{ action: 'create_record', kind: 'inputs' }, 400, 'kind', /"input", "output", "config"/],
      [{ action: 'create_record', configFields: [] }, 400, 'configFields', /must be an object/],
      [{ pickList: 'states', args: 'US' }, 400, 'args', /must be an object/],
      [{ action: 'nope' }, 404, 'action', /no action "nope" \(actions: create_record\)/],
      [{ pickList: 'nope' }, 404, 'pickList', /no pick list "nope"/],
      [{ action: 'create_record', connection: 'missing' }, 404, 'connection', /No connection named "missing"/],
      [{ action: 'create_record', version: 9 }, 404, 'version', /no version 9/],
    ];
    for (const [body, status, path, message] of cases) {
      const res = await fields(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.path, JSON.stringify(body)).toBe(path);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    await call('POST', '/api/connections', { name: 'chat-x', connector: 'chat', values: {} });
    const other = await fields({ action: 'create_record', connection: 'chat-x' });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ path: 'connection', message: expect.stringContaining('"chat"') });
    expect((await call('POST', '/api/connectors/nope/fields', { pickList: 'x' })).body.error.code).toBe(
      'CONNECTOR_NOT_FOUND',
    );
  });
});
