/**
 * A connector's OAuth2 setting that fails names what it was given: the API's answer must not
 * carry the connection's secrets.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ApiCall, apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/oauth-errors', import.meta.url))];
const SECRET = 'cl1ent-s3cret-"quoted"';

let server: RunningServer;
let call: ApiCall;

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-oauth-errors-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
  call = apiCaller(() => server);
  const created = await call('POST', '/api/connections', {
    name: 'leaky',
    connector: 'leaky',
    values: { client_id: 'app-1', client_secret: SECRET },
  });
  expect(created.status).toBe(201);
});
afterAll(() => server.close());

test('a failing OAuth2 setting answers 409 without the connection secrets in the message', async () => {
  const res = await call('GET', '/api/connections/leaky/oauth2/start');
  expect(res.status).toBe(409);
  const text = JSON.stringify(res.body);
  expect(text).toContain('no authorization URL for app-1');
  expect(text).not.toContain('cl1ent-s3cret');
  expect(text).toContain('[REDACTED]');
});
