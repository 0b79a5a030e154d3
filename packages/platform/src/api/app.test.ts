import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorProblem, ConnectorSummary, ConnectorView, Page } from '@weft/sdk/model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = fileURLToPath(new URL('../__fixtures__/connectors', import.meta.url));
let server: RunningServer;
let auth: Record<string, string>;

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-home-'));
  server = await startServer({ port: 0, home, connectorDirs: [FIXTURES], env: {} });
  auth = { authorization: `Bearer ${server.token.token}` };
});
afterAll(async () => {
  await server.close();
});

/** The answer's status and parsed body, typed as the view the caller expects. */
async function call<T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

interface ConnectorList extends Page<ConnectorSummary> {
  problems: ConnectorProblem[];
}
/** The OpenAPI description, as far as these tests read it. */
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, unknown>;
}

describe('the API', () => {
  test('health and the OpenAPI description need no token', async () => {
    expect(await call('/api/health')).toEqual({ status: 200, body: { status: 'ok', version: '0.1.0' } });
    const spec = await call<OpenApiDocument>('/api/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toContain('/api/connectors/{name}');
  });

  test('refuses requests without a valid token, with the error shape', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: server.token.token },
    ];
    for (const headers of refused) {
      const res = await call('/api/connectors', { headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('Bearer') } });
    }
  });

  test('lists loaded connectors and reports the broken ones', async () => {
    const res = await call<ConnectorList>('/api/connectors', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        name: 'crm',
        title: 'Fixture CRM',
        version: 1,
        actions: ['create_contact', 'search'],
        triggers: ['new_contact', 'hook'],
      },
    ]);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.problems).toEqual([
      expect.objectContaining({
        folder: expect.stringContaining('broken'),
        code: 'DEFINITION_INVALID',
        message: expect.stringContaining('actions.a.execute'),
      }),
    ]);
  });

  test("describes one connector's actions and triggers with resolved static fields", async () => {
    const res = await call<ConnectorView>('/api/connectors/crm', { headers: auth });
    expect(res.status).toBe(200);
    const create = res.body.actions.find((a) => a.name === 'create_contact')!;
    expect(create.inputFields.dynamic).toBe(false);
    expect(create.inputFields.schema).toMatchObject({ type: 'object', required: ['email'] });
    expect(res.body.actions.find((a) => a.name === 'search')!.inputFields).toEqual({ dynamic: true });
    expect(res.body.triggers.map((t) => t.kind)).toEqual(['polling', 'static_webhook']);
    expect(res.body.connectionFields.fields).toEqual([{ name: 'api_key', controlType: 'password' }]);
  });

  test('an unknown connector or route is a 404 with the error shape', async () => {
    expect(await call('/api/connectors/nope', { headers: auth })).toEqual({
      status: 404,
      body: { error: { code: 'CONNECTOR_NOT_FOUND', message: 'No connector named "nope"', path: 'name' } },
    });
    const route = await call<ErrorBody>('/api/nothing', { headers: auth });
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('NOT_FOUND');
  });

  test('a connector is versioned once per distinct source', async () => {
    const home = server.home;
    await server.close();
    server = await startServer({ port: 0, home, connectorDirs: [FIXTURES], env: {} });
    auth = { authorization: `Bearer ${server.token.token}` };
    const res = await call<ConnectorList>('/api/connectors', { headers: auth });
    expect(res.body.items[0].version).toBe(1);
    expect(server.token.source).toBe('file');
  });
});
