/**
 * An access token the API refuses, on a connection that cannot renew it (the provider issues no
 * refresh token, as ClickUp does): the REAUTHORIZE error says so, then names the refused request and
 * the API's reason, never the token.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isWeftError, type WeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { closeHttp } from '../http/index.js';
import type { ConnectorDefinition } from '../types.js';

const TOKEN = 'revoked-access-token-0123';
const server = createServer((_req, res) => {
  res.writeHead(401, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ err: 'Token invalid', ECODE: 'OAUTH_025' }));
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await closeHttp();
});

test('a refused access token without a refresh token: REAUTHORIZE naming the request and the reason', async () => {
  const connector: ConnectorDefinition = {
    title: 'No refresh',
    connection: {
      authorization: {
        type: 'oauth2',
        authorizationUrl: `${base}/authorize`,
        tokenUrl: `${base}/token`,
        clientId: 'client',
      },
      baseUri: () => base,
    },
    test: (ctx) => ctx.get('user'),
  };
  const error = await execute(connector, 'test', { connection: { access_token: TOKEN } }).then(
    () => undefined,
    (e: unknown) => (isWeftError(e) ? e : undefined),
  );
  expect(error?.code).toBe('REAUTHORIZE');
  const message = (error as WeftError).message;
  expect(message).toMatch(/^The connection has no refresh token/);
  expect(message).toContain(
    `(The API refused GET ${base}/user with HTTP 401: {"err":"Token invalid","ECODE":"OAUTH_025"}.)`,
  );
  expect(message).not.toContain(TOKEN);
});
