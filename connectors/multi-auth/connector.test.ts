import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const API_KEY = 'tb-key-5d1e0c7a93';
const PASSWORD = 'taskboard-pass-2026';
const BASIC = `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`;

let server: TestServer;
let connector: ConnectorDefinition;
beforeAll(async () => {
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  // The fake accepts exactly the two forms of credentials, nothing else.
  server = await startServer((req, res) => {
    const auth = req.headers.authorization;
    const who = auth === `Token ${API_KEY}` ? 'key' : auth === BASIC ? 'basic' : undefined;
    if (!who) return json(res, 401, { error: 'unauthorized' });
    if (req.url === '/api/me') return json(res, 200, { user: 'ann', via: who });
    if (req.url === '/api/projects') return json(res, 200, [{ id: 1, name: 'Launch' }]);
    json(res, 404, {});
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

const base = () => `${server.url}/api`;

describe('multi authorization', () => {
  test('auth_type api_key sends the key', async () => {
    const result = await execute(connector, 'test', {
      connection: { base_url: base(), auth_type: 'api_key', api_key: API_KEY },
    });
    expect(result).toMatchObject({ output: { via: 'key' } });
  });

  test('auth_type basic sends username and password', async () => {
    const result = await execute(connector, 'actions.list_projects.execute', {
      connection: { base_url: base(), auth_type: 'basic', username: 'ann', password: PASSWORD, api_key: API_KEY },
    });
    expect(result).toMatchObject({ output: { projects: [{ id: 1, name: 'Launch' }] } });
    expect(server.requests.at(-1)?.headers.authorization).toBe(BASIC);
  });

  test('an unknown auth_type is a definition error naming the options', async () => {
    const error = await execute(connector, 'test', { connection: { base_url: base(), auth_type: 'oauth' } }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'DEFINITION_INVALID' });
    expect(error.message).toContain('api_key, basic');
  });

  test('weft exec picks a connection from a settings file with two; --verbose hides both secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-multi-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(
      settings,
      [
        'with_key:',
        `  base_url: ${base()}`,
        '  auth_type: api_key',
        `  api_key: ${API_KEY}`,
        'with_password:',
        `  base_url: ${base()}`,
        '  auth_type: basic',
        '  username: ann',
        `  password: ${PASSWORD}`,
        '',
      ].join('\n'),
    );
    for (const [name, via] of [
      ['with_key', 'key'],
      ['with_password', 'basic'],
    ]) {
      const run = await execWeft(CONNECTOR, settings, 'test', `--connection=${name}`, '--verbose');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ user: 'ann', via });
      for (const secret of [API_KEY, PASSWORD, BASIC.slice(6)]) expect(run.stderr).not.toContain(secret);
    }
  });
});
