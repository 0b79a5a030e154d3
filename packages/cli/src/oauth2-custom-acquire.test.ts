/**
 * OAuth2 connectors with their own `acquire` and `refresh` (TrackVia-like): called without a code
 * they ask for a browser sign-in (REAUTHORIZE), and an `expires_in` they return becomes
 * `expires_at`, so the token is refreshed before it expires.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { execWeft, json, startOAuth2, startServer, type TestServer } from './test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./__fixtures__/oauth2/custom-acquire.ts', import.meta.url));

let api: TestServer;
let dir: string;
let issued = 0;

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    if (req.url === '/custom-token') {
      const sent = JSON.parse(body);
      if (!sent.code) return json(res, 400, { message: 'code is required' });
      return json(res, 200, { token: `at-${++issued}`, refresh: 'rt-1', ttl: 3600 });
    }
    if (req.url === '/custom-refresh') return json(res, 200, { token: `at-${++issued}`, ttl: '1800' });
    if (req.url === '/me') return json(res, 200, { who: req.headers.authorization });
    json(res, 404, {});
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-custom-acquire-'));
});

afterAll(async () => {
  await api.close();
});

async function settingsFile(name: string, extra = ''): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `issuer: ${api.url}\nclient_id: app-1\nclient_secret: s3cret-value\n${extra}`);
  return path;
}

const stored = async (file: string) => parse(await readFile(file, 'utf8')) as Record<string, unknown>;

/** Seconds from now until an ISO time. */
const secondsUntil = (iso: unknown) => (Date.parse(String(iso)) - Date.now()) / 1000;

describe('a custom acquire', () => {
  test('without a code fails with the documented REAUTHORIZE message, sending nothing', async () => {
    const settings = await settingsFile('no-code.yaml');
    const before = api.requests.length;
    const result = await execWeft(CONNECTOR, settings, 'connection.authorization.acquire');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^weft: This connection uses the OAuth2 authorization-code grant: a user must grant access in a browser first/,
    );
    expect(result.stderr).toContain('weft oauth2');
    expect(result.stdout).toBe('');
    expect(api.requests.length).toBe(before);
  });

  test('through weft oauth2: the expires_in it returns is stored as expires_at', async () => {
    const settings = await settingsFile('authorized.yaml');
    const run = startOAuth2([`--connector=${CONNECTOR}`, `--settings=${settings}`]);
    const url = new URL(await run.url);
    const callback = new URL(url.searchParams.get('redirect_uri')!);
    callback.searchParams.set('code', 'the-code');
    callback.searchParams.set('state', url.searchParams.get('state')!);
    expect((await fetch(callback)).status).toBe(200);
    expect((await run.done).code).toBe(0);

    const values = await stored(settings);
    expect(values.access_token).toMatch(/^at-/);
    expect(values.expires_in).toBeUndefined();
    expect(secondsUntil(values.expires_at)).toBeGreaterThan(3500);
    expect(secondsUntil(values.expires_at)).toBeLessThanOrEqual(3600);
  });
});

describe('a custom refresh', () => {
  test('its expires_in (even as a string) becomes expires_at', async () => {
    const settings = await settingsFile('refresh.yaml', 'access_token: old\nrefresh_token: rt-1\n');
    const result = await execWeft(CONNECTOR, settings, 'connection.authorization.refresh');
    expect(result.stderr).toContain('updated connection values written');
    const values = await stored(settings);
    expect(values.expires_in).toBeUndefined();
    expect(secondsUntil(values.expires_at)).toBeGreaterThan(1700);
  });

  test('runs before a request once the stored token is about to expire, and then not again', async () => {
    const soon = new Date(Date.now() + 10_000).toISOString();
    const settings = await settingsFile(
      'proactive.yaml',
      `access_token: old\nrefresh_token: rt-1\nexpires_at: ${soon}\n`,
    );
    const refreshes = () => api.requests.filter((r) => r.url === '/custom-refresh').length;
    const before = refreshes();
    const first = await execWeft(CONNECTOR, settings, 'test');
    expect(first.code).toBe(0);
    expect(refreshes()).toBe(before + 1);
    const values = await stored(settings);
    expect(secondsUntil(values.expires_at)).toBeGreaterThan(1700);

    const second = await execWeft(CONNECTOR, settings, 'test');
    expect(second.code).toBe(0);
    expect(refreshes()).toBe(before + 1);
  });
});
