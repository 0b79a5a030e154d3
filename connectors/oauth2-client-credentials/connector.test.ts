/**
 * Acme Reports against a real authorization server (oidc-provider) that serves Acme's token
 * endpoint, with a reports API beside it that accepts only tokens the server issued.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { execWeft } from '../../packages/cli/src/test-helpers.js';
import { CLIENTS, startTestIssuer, type TestIssuer } from '../../packages/sdk/src/auth/__fixtures__/oidc-provider.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const REPORTS = [
  { id: 'r-1', name: 'Monthly revenue', rows: 12 },
  { id: 'r-2', name: 'Churn by region', rows: 7 },
];

let issuer: TestIssuer;
let connector: ConnectorDefinition;
let apiCalls = 0;

/** The reports API: a bearer token is valid when the authorization server issued it. */
function reportsApi(req: IncomingMessage, res: ServerResponse): boolean {
  if (!req.url?.startsWith('/api/reports')) return false;
  apiCalls++;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  (async () => {
    const known = token ? await issuer.provider.ClientCredentials.find(token) : undefined;
    if (!known || !String(known.scope ?? '').includes('api:read')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid_token' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(REPORTS));
  })();
  return true;
}

beforeAll(async () => {
  issuer = await startTestIssuer({ routes: { token: '/oauth/token' }, handle: reportsApi });
  connector = (await loadConnectorFile(CONNECTOR)).definition;
});

afterAll(async () => {
  await issuer.close();
  await closeHttp();
});

const credentials = () => ({
  instance_url: issuer.issuer,
  client_id: CLIENTS.post.id,
  client_secret: CLIENTS.post.secret,
});

describe('Acme Reports', () => {
  test('acquire fetches a token with the client credentials; the action uses it', async () => {
    const connection: Record<string, unknown> = credentials();
    const acquired = await execute(connector, 'connection.authorization.acquire', { connection });
    expect(acquired).toMatchObject({ output: { access_token: '[REDACTED]', scope: 'api:read', token_type: 'Bearer' } });
    expect(connection.access_token).toEqual(expect.any(String));
    expect(connection.refresh_token).toBeUndefined();
    const reports = await execute(connector, 'actions.list_reports.execute', { connection });
    expect(reports).toMatchObject({ output: { reports: REPORTS } });
  });

  test('without a token, or with a revoked one, a new token is fetched and the request sent again', async () => {
    const connection: Record<string, unknown> = credentials();
    const first = await execute(connector, 'actions.list_reports.execute', { connection });
    expect(first).toMatchObject({ output: { reports: REPORTS } });
    const old = connection.access_token as string;
    expect(old).toEqual(expect.any(String));

    await (await issuer.provider.ClientCredentials.find(old)).destroy();
    const before = apiCalls;
    const again = await execute(connector, 'actions.list_reports.execute', { connection });
    expect(again).toMatchObject({ output: { reports: REPORTS } });
    expect(apiCalls - before).toBe(2);
    expect(connection.access_token).not.toBe(old);
  });

  test('weft exec acquire stores the token; a wrong secret is refused without being shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acme-reports-'));
    const settings = join(dir, 'settings.yaml');
    const { instance_url, client_id, client_secret } = credentials();
    await writeFile(
      settings,
      `instance_url: ${instance_url}\nclient_id: ${client_id}\nclient_secret: ${client_secret}\n`,
    );
    const acquired = await execWeft(CONNECTOR, settings, 'connection.authorization.acquire');
    expect(acquired.code).toBe(0);
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored.access_token).toEqual(expect.any(String));
    expect(acquired.stdout + acquired.stderr).not.toContain(stored.access_token);
    expect(acquired.stdout + acquired.stderr).not.toContain(client_secret);

    const listed = await execWeft(CONNECTOR, settings, 'actions.list_reports.execute');
    expect(JSON.parse(listed.stdout)).toEqual({ reports: REPORTS });

    const wrong = join(dir, 'wrong.yaml');
    await writeFile(
      wrong,
      `instance_url: ${instance_url}\nclient_id: ${client_id}\nclient_secret: not-the-secret-123\n`,
    );
    const refused = await execWeft(CONNECTOR, wrong, 'connection.authorization.acquire');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/invalid_client/);
    expect(refused.stderr).not.toContain('not-the-secret-123');
  });
});
