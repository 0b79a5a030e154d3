/**
 * Connectors shaped like real Workato ports, through the real server's API: schemas driven by
 * config fields (Kizen) and `description`/`help` given as functions.
 */
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller, type ErrorBody } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/real-connectors', import.meta.url))];

let server: RunningServer;
/** The server's operational log. */
const logged: unknown[][] = [];
let kizenApi: Server;
const call = apiCaller(() => server);

beforeAll(async () => {
  kizenApi = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/custom-objects/deals/fields') {
      res.end(JSON.stringify({ fields: [{ name: 'deal_value' }, { name: 'stage' }] }));
    } else {
      res.statusCode = 404;
      res.end('{"error":"not found"}');
    }
  });
  kizenApi.listen(0, '127.0.0.1');
  await once(kizenApi, 'listening');
  const home = await mkdtemp(join(tmpdir(), 'weft-real-'));
  server = await startServer({
    port: 0,
    home,
    connectorDirs: FIXTURES,
    env: {},
    onWarning: () => {},
    log: (...entry) => logged.push(entry),
  });
  const created = await call('POST', '/api/connections', {
    name: 'kizen-main',
    connector: 'kizen',
    values: {
      base_url: `http://127.0.0.1:${(kizenApi.address() as AddressInfo).port}`,
      user_id: 'u1',
      business_id: 'b1',
      api_key: 'kz-0123456789',
    },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await server.close();
  kizenApi.closeAllConnections();
  kizenApi.close();
});

describe('object definitions receive the config fields', () => {
  test('POST /api/connectors/:name/fields resolves input fields from the chosen object', async () => {
    const res = await call('POST', '/api/connectors/kizen/fields', {
      connection: 'kizen-main',
      action: 'create_record',
      configFields: { object: 'deals' },
    });
    expect(res.status).toBe(200);
    expect(res.body.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'deal_value', 'stage']);
  });

  test('a run gets the config-dependent input and its resolved output fields', async () => {
    const res = await call('POST', '/api/connectors/kizen/run', {
      connection: 'kizen-main',
      action: 'create_record',
      configFields: { object: 'deals' },
      input: { id: '7', deal_value: '100' },
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toEqual({
      input: { object: 'deals', id: '7', deal_value: '100' },
      extendedInputSchema: ['id', 'deal_value', 'stage'],
      extendedOutputSchema: ['id', 'deal_value', 'stage'],
    });
  });
});

describe('description and help given as functions', () => {
  test('GET /api/connectors/:name shows them evaluated; a throwing one is a problem, not a failure', async () => {
    const res = await call('GET', '/api/connectors/kizen');
    expect(res.status).toBe(200);
    const create = res.body.actions.find((a: { name: string }) => a.name === 'create_record');
    expect(create.description).toBe('Create a <b>record</b> in Kizen');
    expect(create.dynamicDescription).toBe(true);
    expect(create.help).toEqual({
      body: 'Creates one record of the chosen object.',
      learnMoreUrl: 'https://kizen.example/docs',
    });
    expect(create.problems).toBeUndefined();
    const broken = res.body.actions.find((a: { name: string }) => a.name === 'broken_help');
    expect(broken.description).toBeUndefined();
    expect(broken.help).toEqual({ body: 'Plain help text' });
    expect(broken.problems).toEqual([
      {
        path: 'actions.broken_help.description',
        message: expect.stringMatching(/actions\.broken_help\.description failed: Cannot read properties/),
      },
    ]);
  });

  test('the fields endpoint computes them with the connection and config fields', async () => {
    const res = await call('POST', '/api/connectors/kizen/fields', {
      connection: 'kizen-main',
      action: 'create_record',
      kind: 'description',
      configFields: { object: 'deals' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ description: 'Create a <b>deals</b> in Kizen' });
  });
});

describe('webhooks of a Kizen-shaped trigger', () => {
  let url = '';
  let recipeId = '';
  const send = (payload: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  beforeAll(async () => {
    const created = await call('POST', '/api/recipes', {
      name: 'kizen updates',
      trigger: { connector: 'kizen', connection: 'kizen-main', trigger: 'record_updated', input: { object: 'deals' } },
      steps: [],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await call('POST', `/api/recipes/${created.body.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    url = started.body.webhookUrl;
    recipeId = created.body.id;
  });

  test('webhookNotification shapes the event by the resolved output fields', async () => {
    const res = await send({ event: 'record.updated', record: { id: 'r1', fields: { stage: 'won', secret: 'x' } } });
    expect(res.status).toBe(200);
    const jobs = (await server.store.listJobs({ limit: 10, recipeId })).items;
    expect(jobs.map((j) => j.trigger)).toEqual([{ id: 'r1', stage: 'won' }]);
  });

  test('a TypeError in webhookNotification (a connector bug) answers 500, so the sender retries', async () => {
    logged.length = 0;
    const res = await send({ event: 'record.updated' });
    expect(res.status).toBe(500);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe('LAMBDA_FAILED');
    // The sender is anyone who knows the URL: the connector's own error stays in the server's log.
    expect(error.message).not.toMatch(/Cannot read|TypeError|webhookNotification|undefined/);
    expect(error.message).toMatch(/nothing was created/);
    expect(JSON.stringify(logged)).toMatch(/Cannot read properties of undefined/);
  });

  test('a deliberate refusal (ctx.error) stays 400', async () => {
    const res = await send({ event: 'record.deleted' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toEqual({
      code: 'CONNECTOR_ERROR',
      message: 'Kizen event "record.deleted" is not handled',
    });
  });
});

describe('a job step on a config-driven action', () => {
  test('the step resolves its fields through the object definition with its config value', async () => {
    const created = await call('POST', '/api/recipes', {
      name: 'kizen copy',
      trigger: { connector: 'kizen', connection: 'kizen-main', trigger: 'record_updated', input: { object: 'deals' } },
      steps: [
        {
          id: 'create',
          connector: 'kizen',
          connection: 'kizen-main',
          action: 'create_record',
          input: { object: 'deals', id: '=trigger.id', stage: '=trigger.stage' },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await call('POST', `/api/recipes/${created.body.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const res = await fetch(started.body.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'record.updated', record: { id: 'r2', fields: { stage: 'lost' } } }),
    });
    expect(res.status).toBe(200);
    const [job] = (await server.store.listJobs({ limit: 10, recipeId: created.body.id })).items;
    let done = await server.store.getJob(job.id);
    for (let i = 0; i < 200 && done && !['succeeded', 'failed'].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      done = await server.store.getJob(job.id);
    }
    expect(done?.status, JSON.stringify(done?.error)).toBe('succeeded');
    expect(done?.steps[0].output).toEqual({
      input: { object: 'deals', id: 'r2', stage: 'lost' },
      extendedInputSchema: ['id', 'deal_value', 'stage'],
      extendedOutputSchema: ['id', 'deal_value', 'stage'],
    });
  });
});
