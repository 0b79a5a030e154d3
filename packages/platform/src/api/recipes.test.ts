import { mkdtemp } from 'node:fs/promises';
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
let server: RunningServer;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-recipes-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
  await call('POST', '/api/connections', {
    name: 'shop-main',
    connector: 'shop',
    values: { api_key: 'shop-key-123456' },
  });
  await call('POST', '/api/connections', { name: 'crm-main', connector: 'crm', values: { api_key: 'crm-key-123456' } });
});
afterAll(async () => {
  await server.close();
});

const recipe = (overrides: Record<string, unknown> = {}) => ({
  name: 'New order to CRM',
  trigger: {
    connector: 'shop',
    connection: 'shop-main',
    trigger: 'new_order',
    input: { since: '2026-01-01T00:00:00Z' },
  },
  steps: [
    {
      id: 'contact',
      connector: 'crm',
      connection: 'crm-main',
      action: 'create_contact',
      input: { email: '=trigger.customer.email' },
    },
    {
      id: 'big',
      if: '=trigger.total > 100',
      then: [
        {
          id: 'alert',
          connector: 'chat',
          action: 'post_message',
          input: { text: 'Big order {{trigger.id}} ({{steps.contact.id}})' },
        },
      ],
    },
    {
      id: 'lines',
      foreach: '=trigger.items',
      do: [{ id: 'line', connector: 'chat', action: 'post_message', input: { text: '=item.sku' } }],
    },
    { id: 'done', stop: { error: false } },
  ],
  ...overrides,
});

async function recipeCount(): Promise<number> {
  return (await call('GET', '/api/recipes?limit=1000')).body.items.length;
}

describe('recipes API', () => {
  test('saves a valid recipe with defaults, status and connector pins; reads, lists, replaces', async () => {
    const created = await call('POST', '/api/recipes', recipe());
    expect(created.status).toBe(201);
    // Only a save answers `warnings` (datapills it could not check); a GET is the recipe itself.
    const { warnings, ...r } = created.body;
    expect(warnings).toEqual([]);
    expect(r).toMatchObject({
      id: expect.stringMatching(/^rcp_/),
      name: 'New order to CRM',
      status: 'stopped',
      concurrency: 1,
      onError: [],
      connectorVersions: { chat: 1, crm: 1, shop: 1 },
      trigger: { pollIntervalSeconds: 300 },
    });
    expect(r.webhookUrl).toBeUndefined();
    expect((await call('GET', `/api/recipes/${r.id}`)).body).toEqual(r);
    const list = await call('GET', '/api/recipes');
    expect(list.body).toEqual({ items: [r], nextCursor: null });

    // A GET can be edited and PUT back.
    const replaced = await call('PUT', `/api/recipes/${r.id}`, { ...r, name: 'Renamed', concurrency: 3 });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: r.id, name: 'Renamed', concurrency: 3, createdAt: r.createdAt });
    const bad = await call('PUT', `/api/recipes/${r.id}`, { ...r, steps: 'nope' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', path: 'steps' } } });
    expect((await call('GET', `/api/recipes/${r.id}`)).body.name).toBe('Renamed');
    expect((await call('PUT', '/api/recipes/rcp_nope', recipe())).status).toBe(404);
  });

  test('each validation failure is a 400 with its path, and nothing is saved', async () => {
    const before = await recipeCount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trigger: { connector: 'nope', connection: 'shop-main', trigger: 'new_order' } }, 'trigger.connector'],
      [{ trigger: { connector: 'shop', connection: 'shop-main', trigger: 'nope' } }, 'trigger.trigger'],
      [{ trigger: { connector: 'shop', connection: 'nope', trigger: 'new_order' } }, 'trigger.connection'],
      [
        { trigger: { connector: 'shop', connection: 'shop-main', trigger: 'new_order', pollIntervalSeconds: 0 } },
        'trigger.pollIntervalSeconds',
      ],
      [
        {
          steps: [
            { id: 'a', connector: 'chat', action: 'post_message', input: { text: 'x' } },
            { id: 'b', connector: 'crm', connection: 'crm-main', action: 'nope' },
          ],
        },
        'steps[1].action',
      ],
      [
        {
          steps: [
            {
              id: 'a',
              connector: 'crm',
              connection: 'crm-main',
              action: 'create_contact',
              input: { email: '=trigger.(' },
            },
          ],
        },
        'steps[0].input.email',
      ],
      [
        {
          steps: [
            {
              id: 'a',
              connector: 'crm',
              connection: 'crm-main',
              action: 'create_contact',
              input: { email: '=trigger.customer.mail' },
            },
          ],
        },
        'steps[0].input.email',
      ],
      [
        {
          steps: [
            { id: 'a', connector: 'chat', action: 'post_message', input: { text: 'x' } },
            { id: 'a', stop: { error: true } },
          ],
        },
        'steps[1].id',
      ],
      [{ concurrency: 0 }, 'concurrency'],
      [{ name: 42 }, 'name'],
    ];
    for (const [overrides, path] of cases) {
      const res = await call('POST', '/api/recipes', recipe(overrides));
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatchObject({ code: 'INVALID_REQUEST', path });
      expect(res.body.error.message.startsWith(`${path}: `), res.body.error.message).toBe(true);
    }
    const several = await call('POST', '/api/recipes', recipe({ concurrency: 0, name: '' }));
    expect(several.body.error.message).toMatch(/1 more problem:\n {2}- concurrency/);
    expect((await call('POST', '/api/recipes', '{"name": "x",')).body.error.code).toBe('MALFORMED_JSON');
    expect((await call('POST', '/api/recipes', '"text"')).body.error.code).toBe('INVALID_REQUEST');
    expect(await recipeCount()).toBe(before);
  });

  test('webhook triggers: GET gives an absolute webhookUrl with a per-recipe secret', async () => {
    const hook = recipe({ trigger: { connector: 'shop', connection: 'shop-main', trigger: 'order_hook' } });
    const a = (await call('POST', '/api/recipes', hook)).body;
    const b = (await call('POST', '/api/recipes', hook)).body;
    expect(a.webhookUrl).toMatch(new RegExp(`^${server.url}/webhooks/recipes/${a.id}/[A-Za-z0-9_-]{32}$`));
    expect(a.webhookUrl.split('/').at(-1)).not.toBe(b.webhookUrl.split('/').at(-1));
    expect(a.staticWebhookUrl).toBeUndefined();
    const fetched = await call('GET', `/api/recipes/${a.id}`);
    expect(fetched.body.webhookUrl).toBe(a.webhookUrl);
    // A static webhook trigger also names the connector's URL.
    const mention = await call('POST', '/api/recipes', {
      name: 'm',
      trigger: { connector: 'chat', trigger: 'mention' },
      steps: [],
    });
    expect(mention.body.staticWebhookUrl).toBe(`${server.url}/webhooks/static/chat`);
    expect(mention.body.webhookUrl).toMatch(/\/webhooks\/recipes\//);
  });

  test('start and stop set the status; a running recipe cannot be changed or deleted', async () => {
    const r = (await call('POST', '/api/recipes', recipe())).body;
    const started = await call('POST', `/api/recipes/${r.id}/start`);
    expect(started).toMatchObject({ status: 200, body: { id: r.id, status: 'running' } });
    expect((await call('POST', `/api/recipes/${r.id}/start`)).body.status).toBe('running');
    expect((await call('GET', '/api/recipes?status=running')).body.items.map((x: { id: string }) => x.id)).toEqual([
      r.id,
    ]);
    expect((await call('GET', '/api/recipes?status=paused')).body.error.path).toBe('status');
    expect((await call('PUT', `/api/recipes/${r.id}`, recipe())).body.error.code).toBe('RECIPE_RUNNING');
    expect((await call('DELETE', `/api/recipes/${r.id}`)).status).toBe(409);
    // A connection used by a recipe cannot be deleted.
    const inUse = await call('DELETE', '/api/connections/crm-main');
    expect(inUse).toMatchObject({ status: 409, body: { error: { code: 'CONNECTION_IN_USE' } } });
    expect((await call('POST', `/api/recipes/${r.id}/stop`)).body.status).toBe('stopped');
    expect((await call('DELETE', `/api/recipes/${r.id}`)).status).toBe(204);
    expect((await call('GET', `/api/recipes/${r.id}`)).status).toBe(404);
    expect((await call('POST', '/api/recipes/rcp_nope/start')).status).toBe(404);
  });

  test('a recipe whose connection is gone cannot start', async () => {
    await call('POST', '/api/connections', {
      name: 'crm-temp',
      connector: 'crm',
      values: { api_key: 'tmp-key-123456' },
    });
    const steps = [
      { id: 'c', connector: 'crm', connection: 'crm-temp', action: 'create_contact', input: { email: 'a@b.c' } },
    ];
    const r = (await call('POST', '/api/recipes', recipe({ steps }))).body;
    await server.store.deleteConnection('crm-temp');
    const res = await call('POST', `/api/recipes/${r.id}/start`);
    expect(res).toMatchObject({
      status: 409,
      body: { error: { code: 'RECIPE_INVALID', path: 'steps[0].connection' } },
    });
    expect((await call('GET', `/api/recipes/${r.id}`)).body.status).toBe('stopped');
  });

  test('lists page with a cursor', async () => {
    const all = (await call('GET', '/api/recipes?limit=1000')).body.items.map((r: { id: string }) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        'GET',
        `/api/recipes?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(2);
  });

  test('the OpenAPI description lists every route', async () => {
    const spec = (await call('GET', '/api/openapi.json')).body;
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // Every /api/ route the server has is described, and nothing else.
    const served = (server.app as unknown as { weftRoutes: string[] }).weftRoutes
      .filter((r) => r.includes(' /api/'))
      .map((r) => r.replace(/:(\w+)/g, '{$1}'));
    expect([...routes].sort()).toEqual([...served].sort());
    const expected = [
      'GET /api/connections',
      'POST /api/connections',
      'GET /api/connections/{name}',
      'PATCH /api/connections/{name}',
      'DELETE /api/connections/{name}',
      'POST /api/connections/{name}/test',
      'GET /api/recipes',
      'POST /api/recipes',
      'GET /api/recipes/{id}',
      'PUT /api/recipes/{id}',
      'DELETE /api/recipes/{id}',
      'POST /api/recipes/{id}/start',
      'POST /api/recipes/{id}/stop',
    ];
    for (const route of expected) expect(routes).toContain(route);
  });
});
