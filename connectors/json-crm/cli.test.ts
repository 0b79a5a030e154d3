/**
 * `weft exec` against the fake Acme CRM API (a live server: these test the CLI end to end).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runWeft } from '../../packages/cli/src/test-helpers.js';
import { API_KEY, type Contact, type FakeAcme, seed, startFakeAcme, state } from './fake-api.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));

let api: FakeAcme;
let dir: string;
let settings: string;

beforeAll(async () => {
  api = await startFakeAcme();
  dir = await mkdtemp(join(tmpdir(), 'weft-json-crm-'));
  // No trailing slash: the base URI is treated as a directory.
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}/api/v2\napi_key: ${API_KEY}\n`);
});

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  seed();
  api.requests.length = 0;
});

async function inputFile(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

function weft(path: string, ...flags: string[]) {
  return runWeft(['exec', path, `--connector=${CONNECTOR}`, `--settings=${settings}`, ...flags], {
    env: { WEFT_RETRY_BASE_MS: '1' },
  });
}

describe('weft exec', () => {
  test('create_contact from an input file prints the contact as JSON', async () => {
    const input = await inputFile('create.json', {
      first_name: 'Margaret',
      last_name: 'Hamilton',
      email: 'margaret@example.com',
      age: '89',
      vip: 'true',
      address: { country: 'FR', city: 'Paris' },
    });
    const result = await weft('actions.create_contact.execute', `--input=${input}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 5,
      full_name: 'Margaret Hamilton',
      age: 89,
      vip: true,
      address: { country: 'FR', city: 'Paris' },
    });
  });

  test('--verbose shows the exchanges (including the 429 retry) without the API key', async () => {
    state.throttle = 1;
    const input = await inputFile('list.json', { status: 'lead' });
    const result = await weft('actions.list_contacts.execute', `--input=${input}`, '--verbose');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).contacts.map((c: Contact) => c.id)).toEqual([2, 4]);
    expect(result.stderr).toMatch(/GET .*\/api\/v2\/contacts\?/);
    expect(result.stderr).toMatch(/429/);
    expect(result.stderr).toMatch(/x-api-key: \[REDACTED\]/i);
    expect(result.stderr).not.toContain(API_KEY);
  });

  test('a poll with --follow reads every page', async () => {
    state.maxPerPage = 1;
    const input = await inputFile('since.json', { since: '2026-03-01T00:00:00Z' });
    const result = await weft('triggers.new_contacts.poll', `--input=${input}`, '--follow');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.events.map((e: Contact) => e.id)).toEqual([1, 2, 3, 4]);
    expect(output).toMatchObject({ canPollMore: false, nextPoll: { since: '2026-03-01T12:00:00.000Z', page: 1 } });
  });

  test('delete_contact of a missing contact prints deleted: false', async () => {
    const input = await inputFile('delete.json', { id: 42 });
    const result = await weft('actions.delete_contact.execute', `--input=${input}`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: 42, deleted: false });
  });
});
