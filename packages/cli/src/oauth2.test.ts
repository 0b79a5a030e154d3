/**
 * `weft oauth2` and `weft exec connection.authorization.*` against a real authorization server
 * (oidc-provider on 127.0.0.1). The test plays the browser: it opens the printed authorization
 * URL, lets the server's automatic interaction approve (or deny), and follows the redirect to
 * the callback that `weft oauth2` serves.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { CLIENTS, startTestIssuer, type TestIssuer } from '../../sdk/src/auth/__fixtures__/oidc-provider.js';
import { execWeft, type RunResult, runWeft, startOAuth2 } from './test-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/oauth2/${name}`, import.meta.url));
const CONFIDENTIAL = fixture('connector.ts');
const PKCE = fixture('pkce.ts');
const CLIENT_CREDENTIALS = fixture('client-credentials.ts');

let issuer: TestIssuer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  dir = await mkdtemp(join(tmpdir(), 'weft-oauth2-'));
  env = { WEFT_TEST_ISSUER: issuer.issuer };
});

afterAll(async () => {
  await issuer.close();
});

afterEach(() => {
  issuer.decision = 'approve';
});

let files = 0;
async function settingsFile(text: string, name = `settings-${++files}.yaml`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const confidentialSettings = () =>
  settingsFile(
    `# The test app\nissuer: ${issuer.issuer}\nclient_id: ${CLIENTS.confidential.id}\nclient_secret: ${CLIENTS.confidential.secret}\n`,
  );

/** Every token-like value stored in a settings file. */
function tokensIn(values: Record<string, unknown>): string[] {
  return ['access_token', 'refresh_token', 'id_token']
    .map((k) => values[k])
    .filter((v): v is string => typeof v === 'string');
}

function expectNoSecrets(result: RunResult, secrets: string[]) {
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

/** Runs a full authorization through `weft oauth2` and returns its result and the callback page. */
async function authorizeWith(args: string[]) {
  const run = startOAuth2(args, env);
  const url = await run.url;
  const callback = await issuer.authorize(url);
  const page = await fetch(callback);
  const result = await run.done;
  return {
    url: new URL(url),
    callback: new URL(callback),
    page: { status: page.status, text: await page.text() },
    result,
  };
}

describe('weft oauth2: the authorization-code grant', () => {
  let settings: string;

  test('without PKCE: the tokens land in the settings file, comments kept, nothing secret printed', async () => {
    settings = await confidentialSettings();
    const { url, callback, page, result } = await authorizeWith([
      `--connector=${CONFIDENTIAL}`,
      `--settings=${settings}`,
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(result.code).toBe(0);
    expect(url.searchParams.get('code_challenge')).toBeNull();
    expect(url.searchParams.get('redirect_uri')).toBe(`${callback.origin}/oauth/callback`);
    expect(callback.hostname).toBe('127.0.0.1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('You can close this window');

    const text = await readFile(settings, 'utf8');
    expect(text).toMatch(/^# The test app\n/);
    const stored = parse(text);
    expect(stored).toMatchObject({
      client_id: CLIENTS.confidential.id,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      id_token: expect.any(String),
      token_type: 'Bearer',
    });
    expect(Date.parse(stored.expires_at)).toBeGreaterThan(Date.now() + 3_000_000);

    expect(result.stderr).toMatch(/weft: authorized; tokens stored in .*settings-\d+\.yaml/);
    expect(JSON.parse(result.stdout)).toMatchObject({
      access_token: '[REDACTED]',
      refresh_token: '[REDACTED]',
      expires_at: stored.expires_at,
    });
    expectNoSecrets(result, [...tokensIn(stored), CLIENTS.confidential.secret]);

    // The stored access token works with the default bearer `apply`.
    const me = await execWeft(CONFIDENTIAL, settings, 'test');
    expect(me.stderr).toBe('');
    expect(JSON.parse(me.stdout)).toEqual({ sub: 'user-42' });
  });

  test('refresh with the real refresh token writes the new tokens back', async () => {
    const before = parse(await readFile(settings, 'utf8'));
    const result = await execWeft(CONFIDENTIAL, settings, 'connection.authorization.refresh');
    expect(result.stderr).toMatch(/updated connection values written to/);
    expect(result.code).toBe(0);
    const after = parse(await readFile(settings, 'utf8'));
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).toEqual(expect.any(String));
    expect(JSON.parse(result.stdout)).toMatchObject({ access_token: '[REDACTED]', token_type: 'Bearer' });
    expectNoSecrets(result, [...tokensIn(before), ...tokensIn(after)]);
  });

  test('with PKCE for a public client; a missing settings file is created', async () => {
    const settings = join(dir, 'new-pkce-settings.yaml');
    const { url, page, result } = await authorizeWith([`--connector=${PKCE}`, `--settings=${settings}`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(PKCE S256)');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('client_id')).toBe(CLIENTS.pkce.id);
    expect(page.status).toBe(200);
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(typeof stored.expires_at).toBe('string');
    expectNoSecrets(result, tokensIn(stored));
  });

  test('named connections: only the chosen one receives tokens', async () => {
    const settings = await settingsFile(
      `work:\n  issuer: ${issuer.issuer}\n  client_id: ${CLIENTS.confidential.id}\n  client_secret: ${CLIENTS.confidential.secret}\nhome:\n  issuer: ${issuer.issuer}\n  client_id: other\n`,
    );
    const { result } = await authorizeWith([
      `--connector=${CONFIDENTIAL}`,
      `--settings=${settings}`,
      '--connection=work',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(connection "work")');
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored.work.access_token).toEqual(expect.any(String));
    expect(stored.home).toEqual({ issuer: issuer.issuer, client_id: 'other' });
  });
});

describe('weft oauth2: failures write nothing', () => {
  test('a callback with the wrong state ends the command', async () => {
    const settings = await confidentialSettings();
    const before = await readFile(settings, 'utf8');
    const run = startOAuth2([`--connector=${CONFIDENTIAL}`, `--settings=${settings}`], env);
    const callback = new URL(await issuer.authorize(await run.url));
    callback.searchParams.set('state', 'forged-state');
    const page = await fetch(callback);
    expect(page.status).toBe(400);
    const result = await run.done;
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/state that does not match this request/);
    expect(result.stderr).toMatch(/Nothing was stored/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(result.stderr).not.toContain('--verbose for details');
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  test('a denied consent is reported as such', async () => {
    issuer.decision = 'deny';
    const settings = await confidentialSettings();
    const before = await readFile(settings, 'utf8');
    const { callback, page, result } = await authorizeWith([`--connector=${CONFIDENTIAL}`, `--settings=${settings}`]);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(page.status).toBe(400);
    expect(page.text).toContain('Access was denied');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Access was denied at the authorization server \(access_denied: The user declined/);
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  test('an invalid refresh token asks to reauthorize and leaves the file alone', async () => {
    const settings = await settingsFile(
      `issuer: ${issuer.issuer}\nclient_id: ${CLIENTS.confidential.id}\nclient_secret: ${CLIENTS.confidential.secret}\naccess_token: stale-access-token-1\nrefresh_token: revoked-refresh-token-1\n`,
    );
    const before = await readFile(settings, 'utf8');
    const result = await execWeft(CONFIDENTIAL, settings, 'connection.authorization.refresh');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/refused the stored refresh token \(invalid_grant/);
    expect(result.stderr).toMatch(/weft oauth2/);
    expectNoSecrets(result, ['stale-access-token-1', 'revoked-refresh-token-1', CLIENTS.confidential.secret]);
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  test('no redirect within --timeout ends the command', async () => {
    const settings = await confidentialSettings();
    const before = await readFile(settings, 'utf8');
    const run = startOAuth2([`--connector=${CONFIDENTIAL}`, `--settings=${settings}`, '--timeout=1'], env);
    const result = await run.done;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/No authorization arrived at http:\/\/127\.0\.0\.1:\d+\/oauth\/callback within 1 s/);
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  test('bad flags and a connector without oauth2 are usage errors', async () => {
    const port = await runWeft(['oauth2', `--connector=${CONFIDENTIAL}`, '--port=http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be a port number/);
    const basic = fileURLToPath(new URL('./__fixtures__/basic/connector.ts', import.meta.url));
    const settings = await settingsFile('base_url: http://127.0.0.1:9\n');
    const notOAuth2 = await runWeft(['oauth2', `--connector=${basic}`, `--settings=${settings}`, '--no-browser']);
    expect(notOAuth2.code).toBe(2);
    expect(notOAuth2.stderr).toMatch(/uses api_key authorization, not oauth2/);
  });
});

describe('client credentials', () => {
  const ccSettings = () =>
    settingsFile(`issuer: ${issuer.issuer}\nclient_id: ${CLIENTS.post.id}\nclient_secret: ${CLIENTS.post.secret}\n`);

  test('weft exec connection.authorization.acquire stores the token', async () => {
    const settings = await ccSettings();
    const result = await execWeft(CLIENT_CREDENTIALS, settings, 'connection.authorization.acquire');
    expect(result.code).toBe(0);
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', scope: 'api:read' });
    expect(JSON.parse(result.stdout)).toEqual({
      access_token: '[REDACTED]',
      token_type: 'Bearer',
      scope: 'api:read',
      expires_at: stored.expires_at,
    });
    expectNoSecrets(result, [stored.access_token, CLIENTS.post.secret]);
  });

  test('weft oauth2 requests the token directly, without a browser', async () => {
    const settings = await ccSettings();
    const result = await runWeft([
      'oauth2',
      `--connector=${CLIENT_CREDENTIALS}`,
      `--settings=${settings}`,
      '--no-browser',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/client_credentials grant: requesting a token directly/);
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored.access_token).toEqual(expect.any(String));
    expectNoSecrets(result, [stored.access_token]);
  });

  test('a wrong client secret is reported without the secret', async () => {
    const settings = await settingsFile(
      `issuer: ${issuer.issuer}\nclient_id: ${CLIENTS.post.id}\nclient_secret: not-the-right-secret-77\n`,
    );
    const before = await readFile(settings, 'utf8');
    const result = await execWeft(CLIENT_CREDENTIALS, settings, 'connection.authorization.acquire');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/invalid_client/);
    expect(result.stderr).not.toContain('not-the-right-secret-77');
    expect(await readFile(settings, 'utf8')).toBe(before);
  });
});
