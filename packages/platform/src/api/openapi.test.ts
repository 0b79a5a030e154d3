/**
 * The OpenAPI document is generated from the schemas the routes validate with: a body the
 * document declares is the body the route checks, and a request that breaks the schema answers
 * like every other check (400 INVALID_REQUEST, the bad value's path, a message saying what to fix).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
let server: RunningServer;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-openapi-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
});
afterAll(async () => {
  await server.close();
});

type Operation = { requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } } };

async function bodySchema(path: string, method: string) {
  const spec = (await call('GET', '/api/openapi.json')).body;
  const operation = spec.paths[path][method] as Operation;
  return operation.requestBody?.content['application/json'].schema;
}

describe('the OpenAPI document and the route schemas', () => {
  test('every key the document allows in a body is accepted; any other key is refused with its path', async () => {
    const schema = await bodySchema('/api/connections', 'post');
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['name', 'connector'] });
    const keys = Object.keys(schema?.properties as object);
    expect(keys).toEqual(['name', 'connector', 'values', 'agentGroup']);
    const res = await call('POST', '/api/connections', { name: 'x', connector: 'crm', value: {} });
    expect(res).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: 'value: unknown key; expected "name", "connector", "values", "agentGroup"',
          path: 'value',
        },
      },
    });
  });

  test('a value of the wrong type names the type it must have and the one it has', async () => {
    const res = await call('POST', '/api/connections', { name: 42, connector: 'crm' });
    expect(res.body.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'name: must be a string, not a number',
      path: 'name',
    });
    const fields = await call('POST', '/api/connectors/crm/fields', { action: 'create_contact', version: 0 });
    expect(fields.body.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'version: must be at least 1',
      path: 'version',
    });
  });

  test('a body that is not an object, or none, says so without a path', async () => {
    expect((await call('POST', '/api/connections', [1])).body.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'The request body must be a JSON object, not an array',
    });
    expect((await call('POST', '/api/connections')).body.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'Send a JSON object as the request body',
    });
  });

  test('documents the API only: webhook, resume, OAuth callback and console routes are not in it', async () => {
    const spec = (await call('GET', '/api/openapi.json')).body;
    expect(Object.keys(spec.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);
    expect(spec.components.schemas.Error).toBeDefined();
    expect(spec.paths['/api/connections/{name}'].get.responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  test('answers are not filtered by their documented schema', async () => {
    const res = await call('GET', '/api/connectors/svc');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).length).toBeGreaterThan(3);
  });
});
