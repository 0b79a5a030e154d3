/**
 * `weft exec` and secrets, through the built CLI: stderr (`--verbose` and errors) shows no form
 * of a password with quotes, backslashes and non-ASCII characters, nor a session obtained by an
 * earlier login, while stdout prints an action's output exactly as returned.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asciiJson, expectNoPassword, PASSWORD, xml } from '../../sdk/src/testing/__fixtures__/password.js';
import { execWeft, startServer, type TestServer } from './test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('../../sdk/src/testing/__fixtures__/soap/connector.ts', import.meta.url));
const SESSION = '00D5g0000-SESSION-9f8e7d';
const USER_KEY = 'uk-41c3d2b1a0';
const envelope = (body: string) => `<?xml version="1.0"?><Envelope><Body>${body}</Body></Envelope>`;

let api: TestServer;
let settings: string;

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    res.setHeader('content-type', 'text/xml');
    if (req.url?.startsWith('/reject')) {
      res.statusCode = 400;
      return res.end(
        envelope(
          `<Fault><faultstring>bad password ${xml(PASSWORD)} (${asciiJson(PASSWORD)})</faultstring><sent>${xml(body)}</sent></Fault>`,
        ),
      );
    }
    res.end(
      envelope(
        `<queryResponse><name>latest contest results as text, test</name><echo>${xml(body)}</echo></queryResponse>`,
      ),
    );
  });
  const dir = await mkdtemp(join(tmpdir(), 'weft-exec-secrets-'));
  settings = join(dir, 'settings.yaml');
  // JSON is YAML: the password keeps its quote and backslash exactly.
  await writeFile(
    settings,
    JSON.stringify({
      login_url: api.url,
      server_url: api.url,
      username: 'ann',
      password: PASSWORD,
      session_id: SESSION,
      user_key: USER_KEY,
    }),
  );
});
afterAll(async () => {
  await api.close();
});

const exec = (path: string, ...flags: string[]) => execWeft(CONNECTOR, settings, path, ...flags);

test('--verbose and the error show the password in no form', async () => {
  const result = await exec('actions.send_password.execute', '--verbose');
  expect(result.code).not.toBe(0);
  expect(api.requests.at(-1)!.body).toContain('wörd&lt;&amp;&gt;');
  expect(result.stderr).toContain('[REDACTED]');
  expectNoPassword(result.stderr);
});

test('a session and user key from an earlier login show nowhere in --verbose XML bodies and URLs', async () => {
  const result = await exec('actions.query.execute', '--verbose');
  expect(result.code).toBe(0);
  expect(api.requests.at(-1)!.body).toContain(SESSION);
  expect(result.stderr).toContain('SELECT Name FROM Account');
  expect(result.stderr).not.toContain(SESSION);
  expect(result.stderr).not.toContain(USER_KEY);
  // The output is data: constants that look like apply's values are left alone.
  expect(JSON.parse(result.stdout)).toEqual({ name: 'latest contest results as text, test' });
});

test('connection.authorization.apply prints what apply set, secrets redacted and constants shown', async () => {
  const result = await exec('connection.authorization.apply');
  expect(result.code).toBe(0);
  expect(result.stdout).not.toContain(SESSION);
  expect(result.stdout).not.toContain(USER_KEY);
  expect(JSON.parse(result.stdout)).toMatchObject({
    headers: { 'content-type': 'text/xml', soapaction: 'test' },
    params: { user_key: '[REDACTED]' },
    payload: { Header: { SessionHeader: { sessionId: '[REDACTED]' } } },
  });
});
