/**
 * Saving a recipe checks datapills against output fields that are functions: they are resolved
 * with the recipe's connection and config fields, as the console resolves them. When they cannot
 * be resolved, the recipe is saved with a warning naming the datapills left unchecked.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/dynamic-fields', import.meta.url))];
const API_KEY = 'records-key-"secret"-123';

let server: RunningServer;
let records: Server;
let downUrl: string;
const asked: { path: string; key?: string }[] = [];
const call = apiCaller(() => server);

const CONTACT = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'object', properties: [{ name: 'email' }, { name: 'name' }] },
];

beforeAll(async () => {
  records = createServer((req, res) => {
    asked.push({ path: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    if (req.url === '/fields/contact') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CONTACT));
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such object"}');
  });
  await new Promise<void>((done) => records.listen(0, '127.0.0.1', done));
  // A port nothing listens on: the API is down.
  const down = createServer();
  await new Promise<void>((done) => down.listen(0, '127.0.0.1', done));
  downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/`;
  await new Promise((done) => down.close(done));

  const home = await mkdtemp(join(tmpdir(), 'weft-recipe-fields-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
  const base = `http://127.0.0.1:${(records.address() as AddressInfo).port}/`;
  for (const [name, url] of [
    ['records-main', base],
    ['records-down', downUrl],
  ]) {
    const res = await call('POST', '/api/connections', {
      name,
      connector: 'records',
      values: { base_url: url, api_key: API_KEY },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(async () => {
  await server?.close();
  await new Promise((done) => records?.close(done));
});

const recipe = (text: string, connection = 'records-main', object = 'contact') => ({
  name: 'New contact',
  trigger: { connector: 'records', connection, trigger: 'new_record', input: { object } },
  steps: [{ id: 'n', connector: 'records', connection, action: 'note', input: { text } }],
});

describe('saving a recipe checks datapills against output fields given as functions', () => {
  test('an undeclared datapill is refused, with the resolved fields in the message', async () => {
    asked.length = 0;
    const res = await call('POST', '/api/recipes', recipe('=trigger.customer.phone'));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', path: 'steps[0].input.text' });
    expect(res.body.error.message).toContain('"trigger.customer.phone" is not declared');
    expect(res.body.error.message).toContain('email, name');
    // Resolved through the connection (its authorization applied) with the config field's value.
    expect(asked).toContainEqual({ path: '/fields/contact', key: API_KEY });
  });

  test('a declared datapill saves, with no warnings', async () => {
    const res = await call('POST', '/api/recipes', recipe('Hello {{trigger.customer.name}} ({{trigger.id}})'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.warnings).toEqual([]);
    // The warnings belong to the save: a GET does not carry them, and a PUT of the answer works.
    expect((await call('GET', `/api/recipes/${res.body.id}`)).body.warnings).toBeUndefined();
    const put = await call('PUT', `/api/recipes/${res.body.id}`, res.body);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.warnings).toEqual([]);
  });

  test('output fields from an object definition are checked too', async () => {
    const steps = [
      {
        id: 'rec',
        connector: 'records',
        connection: 'records-main',
        action: 'get_record',
        input: { object: 'contact', id: '=trigger.id' },
      },
      { id: 'n', connector: 'records', connection: 'records-main', action: 'note', input: { text: '=steps.rec.nope' } },
    ];
    const res = await call('POST', '/api/recipes', { ...recipe('x'), steps });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.path).toBe('steps[1].input.text');
    expect(res.body.error.message).toContain('"steps.rec.nope" is not declared');
  });

  test('when the API is down the recipe saves with a warning listing the unchecked datapills', async () => {
    const res = await call('POST', '/api/recipes', recipe('=trigger.customer.phone & trigger.id', 'records-down'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.warnings).toHaveLength(1);
    const [warning] = res.body.warnings;
    expect(warning).toMatchObject({
      code: 'DATAPILLS_UNCHECKED',
      path: 'trigger',
      datapills: [
        { datapill: 'trigger.customer.phone', path: 'steps[0].input.text' },
        { datapill: 'trigger.id', path: 'steps[0].input.text' },
      ],
    });
    expect(warning.message).toMatch(/output fields of the trigger records\.new_record could not be resolved/);
    expect(warning.message).toContain('trigger.customer.phone');
  });

  test('fields that depend on a formula, or a function that finds no fields, leave datapills unchecked', async () => {
    const formula = await call(
      'POST',
      '/api/recipes',
      recipe('=trigger.customer.phone', 'records-main', '=$lowercase("CONTACT")'),
    );
    expect(formula.status, JSON.stringify(formula.body)).toBe(201);
    expect(formula.body.warnings).toHaveLength(1);
    expect(formula.body.warnings[0].message).toContain('they depend on "object", which is a formula');

    const steps = [
      { id: 'u', connector: 'records', connection: 'records-main', action: 'untyped', input: {} },
      { id: 'n', connector: 'records', connection: 'records-main', action: 'note', input: { text: '=steps.u.x' } },
    ];
    const empty = await call('POST', '/api/recipes', { ...recipe('x'), steps });
    expect(empty.status, JSON.stringify(empty.body)).toBe(201);
    expect(empty.body.warnings).toEqual([
      expect.objectContaining({
        path: 'steps[0]',
        datapills: [{ datapill: 'steps.u.x', path: 'steps[1].input.text' }],
      }),
    ]);
    expect(empty.body.warnings[0].message).toContain('the function returned no fields');
  });

  test('when the output fields function throws, the warning gives its message without secrets', async () => {
    const steps = [
      { id: 'b', connector: 'records', connection: 'records-main', action: 'broken_fields', input: {} },
      { id: 'n', connector: 'records', connection: 'records-main', action: 'note', input: { text: '=steps.b.x' } },
    ];
    const res = await call('POST', '/api/recipes', { ...recipe('x'), steps });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.warnings).toEqual([
      expect.objectContaining({
        code: 'DATAPILLS_UNCHECKED',
        path: 'steps[0]',
        datapills: [{ datapill: 'steps.b.x', path: 'steps[1].input.text' }],
      }),
    ]);
    expect(res.body.warnings[0].message).toContain('no fields for key');
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });
});
