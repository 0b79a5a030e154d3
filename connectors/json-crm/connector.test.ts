/**
 * Acme CRM against a strict fake of its API: the fake answers 400 (or 401) whenever the
 * connector sends something the real API would refuse, so a wrong request fails the test.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectorDefinition, closeHttp, type ExecuteOptions, execute, loadConnectorFile } from '@weft/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { json, runWeft, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const API_KEY = 'sk-acme-live-7c1f2e9a04b3';

// ---------------------------------------------------------------------------------------------
// The fake Acme CRM API

interface Contact {
  id: number;
  first_name: string;
  last_name?: string;
  email: string;
  age?: number;
  vip?: boolean;
  birthday?: string;
  status: string;
  address?: Record<string, string>;
  phones?: { kind: string; number: string }[];
  created_at: string;
  updated_at: string;
}

const STATUSES = ['lead', 'customer', 'churned'];
const CITIES: Record<string, string[]> = { DE: ['Berlin', 'Hamburg'], FR: ['Paris', 'Lyon'] };
const CONTACT_KEYS = ['first_name', 'last_name', 'email', 'age', 'vip', 'birthday', 'status', 'address', 'phones'];
const ADDRESS_KEYS = ['street', 'zip', 'country', 'city'];
const LIST_PARAMS = ['status', 'updated_since', 'created_since', 'page', 'per_page', 'sort'];

const state = {
  contacts: new Map<number, Contact>(),
  nextId: 1,
  /** How many of the next list requests answer 429. */
  throttle: 0,
  /** The API caps page sizes at this. */
  maxPerPage: 100,
};

function seed(): void {
  state.contacts.clear();
  state.nextId = 1;
  state.throttle = 0;
  state.maxPerPage = 100;
  const add = (first_name: string, last_name: string, status: string, created_at: string) => {
    const id = state.nextId++;
    state.contacts.set(id, {
      id,
      first_name,
      last_name,
      email: `${first_name.toLowerCase()}@example.com`,
      status,
      created_at,
      updated_at: created_at,
    });
  };
  add('Ada', 'Lovelace', 'customer', '2026-03-01T09:00:00.000Z');
  add('Grace', 'Hopper', 'lead', '2026-03-01T10:00:00.000Z');
  add('Alan', 'Turing', 'customer', '2026-03-01T11:00:00.000Z');
  add('Edsger', 'Dijkstra', 'lead', '2026-03-01T12:00:00.000Z');
}

/** Checks a contact payload; returns a problem or undefined. */
function contactProblem(body: Record<string, unknown>, partial: boolean): string | undefined {
  for (const key of Object.keys(body)) if (!CONTACT_KEYS.includes(key)) return `unknown attribute "${key}"`;
  if (!partial) {
    if (typeof body.first_name !== 'string' || !body.first_name) return 'first_name is required';
    if (typeof body.email !== 'string') return 'email is required';
  }
  if (body.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(String(body.email))) return 'email is invalid';
  if (body.age !== undefined && !Number.isInteger(body.age)) return 'age must be a JSON integer';
  if (body.vip !== undefined && typeof body.vip !== 'boolean') return 'vip must be a JSON boolean';
  if (body.birthday !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(body.birthday))) {
    return 'birthday must be YYYY-MM-DD';
  }
  if (body.status !== undefined && !STATUSES.includes(String(body.status))) return `unknown status ${body.status}`;
  if (body.address !== undefined) {
    const address = body.address as Record<string, unknown>;
    if (!address || typeof address !== 'object' || Array.isArray(address)) return 'address must be an object';
    for (const [k, v] of Object.entries(address)) {
      if (!ADDRESS_KEYS.includes(k)) return `unknown address attribute "${k}"`;
      if (typeof v !== 'string') return `address.${k} must be a string`;
    }
    if (address.city && !CITIES[String(address.country)]?.includes(String(address.city))) {
      return `no city ${address.city} in ${address.country}`;
    }
  }
  if (body.phones !== undefined) {
    if (!Array.isArray(body.phones)) return 'phones must be an array';
    for (const phone of body.phones) {
      if (!phone || typeof phone !== 'object' || !['work', 'mobile', 'home'].includes(phone.kind)) {
        return 'each phone needs a kind (work, mobile, home)';
      }
      if (typeof phone.number !== 'string') return 'each phone needs a number';
    }
  }
  return undefined;
}

function parseJsonBody(req: IncomingMessage, res: ServerResponse, body: string): Record<string, unknown> | undefined {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    json(res, 400, { error: `expected content-type application/json, got ${req.headers['content-type']}` });
    return undefined;
  }
  try {
    const value = JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {}
  json(res, 400, { error: 'body must be a JSON object' });
  return undefined;
}

function listContacts(url: URL, res: ServerResponse) {
  for (const key of url.searchParams.keys()) {
    if (!LIST_PARAMS.includes(key)) return json(res, 400, { error: `unknown parameter ${key}` });
  }
  const q = Object.fromEntries(url.searchParams);
  const page = Number(q.page ?? 1);
  const perPage = Math.min(Number(q.per_page ?? 25), state.maxPerPage);
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) {
    return json(res, 400, { error: 'page and per_page must be positive integers' });
  }
  if (q.status !== undefined && !STATUSES.includes(q.status))
    return json(res, 400, { error: `unknown status ${q.status}` });
  for (const key of ['updated_since', 'created_since']) {
    if (q[key] !== undefined && Number.isNaN(Date.parse(q[key])))
      return json(res, 400, { error: `${key} is not a time` });
  }
  if (q.sort !== undefined && q.sort !== 'created_at') return json(res, 400, { error: 'can only sort by created_at' });
  const all = [...state.contacts.values()]
    .filter((c) => !q.status || c.status === q.status)
    .filter((c) => !q.updated_since || Date.parse(c.updated_at) >= Date.parse(q.updated_since))
    .filter((c) => !q.created_since || Date.parse(c.created_at) >= Date.parse(q.created_since))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const contacts = all.slice((page - 1) * perPage, page * perPage);
  json(res, 200, { contacts, next_page: page * perPage < all.length ? page + 1 : null });
}

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { error: 'invalid or missing API key' });
  const url = new URL(req.url ?? '/', 'http://fake');
  if (!url.pathname.startsWith('/api/v2/')) return json(res, 404, { error: `no route ${url.pathname}` });
  const path = url.pathname.slice('/api/v2'.length);
  const method = req.method;

  if (method === 'GET' && path === '/me') return json(res, 200, { id: 'u-1', email: 'owner@acme.test' });

  const cities = /^\/countries\/([A-Z]{2})\/cities$/.exec(path);
  if (method === 'GET' && cities) {
    const list = CITIES[cities[1]];
    if (!list) return json(res, 404, { error: `unknown country ${cities[1]}` });
    return json(res, 200, { cities: list.map((name) => ({ name, code: name.slice(0, 3).toUpperCase() })) });
  }

  if (path === '/contacts' && method === 'GET') {
    if (state.throttle > 0) {
      state.throttle--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      return res.end(JSON.stringify({ error: 'slow down' }));
    }
    return listContacts(url, res);
  }

  if (path === '/contacts' && method === 'POST') {
    const input = parseJsonBody(req, res, body);
    if (!input) return;
    const problem = contactProblem(input, false);
    if (problem) return json(res, 400, { error: problem });
    const now = '2026-03-02T08:00:00.000Z';
    const contact = { status: 'lead', ...input, id: state.nextId++, created_at: now, updated_at: now } as Contact;
    state.contacts.set(contact.id, contact);
    return json(res, 201, contact);
  }

  const one = /^\/contacts\/(\d+)$/.exec(path);
  if (one) {
    const contact = state.contacts.get(Number(one[1]));
    if (!contact) return json(res, 404, { error: `Contact ${one[1]} not found` });
    if (method === 'GET') return json(res, 200, { data: contact, meta: { etag: `"${contact.updated_at}"` } });
    if (method === 'PATCH') {
      const changes = parseJsonBody(req, res, body);
      if (!changes) return;
      if (Object.keys(changes).length === 0) return json(res, 400, { error: 'nothing to change' });
      const problem = contactProblem(changes, true);
      if (problem) return json(res, 400, { error: problem });
      Object.assign(contact, changes, { updated_at: '2026-03-02T09:00:00.000Z' });
      return json(res, 200, contact);
    }
    if (method === 'DELETE') {
      if (body !== '') return json(res, 400, { error: 'DELETE takes no body' });
      state.contacts.delete(contact.id);
      res.writeHead(204);
      return res.end();
    }
  }
  json(res, 404, { error: `no route ${method} ${path}` });
}

// ---------------------------------------------------------------------------------------------

let api: TestServer;
let connector: ConnectorDefinition;
let dir: string;
let settings: string;
let connection: Record<string, unknown>;

beforeAll(async () => {
  api = await startServer(handle);
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  dir = await mkdtemp(join(tmpdir(), 'weft-json-crm-'));
  // No trailing slash: the base URI is treated as a directory.
  connection = { base_url: `${api.url}/api/v2`, api_key: API_KEY };
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}/api/v2\napi_key: ${API_KEY}\n`);
});

afterAll(async () => {
  await closeHttp();
  await api.close();
});

beforeEach(() => {
  seed();
  api.requests.length = 0;
});

async function run(path: string, options: ExecuteOptions = {}): Promise<any> {
  const result = await execute(connector, path, { connection: { ...connection }, retryBaseMs: 1, ...options });
  if (result.kind !== 'output') throw new Error(`expected an output, got ${result.kind}`);
  return result.output;
}

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

describe('connection', () => {
  test('test succeeds with the right key, sent in X-Api-Key', async () => {
    expect(await run('test')).toEqual({ id: 'u-1', email: 'owner@acme.test' });
    expect(api.requests[0].url).toBe('/api/v2/me');
  });

  test('test fails with a wrong key, naming the status and never the key', async () => {
    const error = await execute(connector, 'test', { connection: { ...connection, api_key: 'sk-wrong-0000000' } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/401/);
    expect(error?.message).not.toContain('sk-wrong-0000000');
  });
});

describe('pick lists and fields', () => {
  test('contact_statuses is static; cities depends on the country and calls the API', async () => {
    expect(await run('pick_lists.contact_statuses')).toEqual([
      ['Lead', 'lead'],
      ['Customer', 'customer'],
      ['Churned', 'churned'],
    ]);
    expect(await run('pick_lists.cities', { args: { country: 'DE' } })).toEqual([
      ['Berlin', 'Berlin'],
      ['Hamburg', 'Hamburg'],
    ]);
    expect(api.requests.map((r) => r.url)).toEqual(['/api/v2/countries/DE/cities']);
    expect(await run('pick_lists.cities', { args: {} })).toEqual([]);
  });

  test('create_contact input fields declare the dependent pick list', async () => {
    const fields = await run('actions.create_contact.input_fields');
    const address = fields.find((f: { name: string }) => f.name === 'address');
    const city = address.properties.find((f: { name: string }) => f.name === 'city');
    expect(city).toMatchObject({ pickList: 'cities', pickListParams: { country: 'country' } });
    expect(fields.find((f: { name: string }) => f.name === 'status')).toMatchObject({ pickList: 'contact_statuses' });
  });

  test('output fields come from the contact object definition, which uses the address definition', async () => {
    const fields = await run('actions.get_contact.output_fields');
    expect(fields.map((f: { name: string }) => f.name)).toContain('full_name');
    const address = fields.find((f: { name: string }) => f.name === 'address');
    expect(address.properties.map((f: { name: string }) => f.name)).toEqual(['street', 'city', 'zip', 'country']);
    expect(await run('object_definitions.contact.fields')).toEqual(fields);
  });

  test('format_name joins first and last name', async () => {
    expect(await run('methods.format_name', { args: [{ first_name: 'Ada', last_name: 'Lovelace' }] })).toBe(
      'Ada Lovelace',
    );
    expect(await run('methods.format_name', { args: [{ first_name: 'Cher' }] })).toBe('Cher');
  });
});

describe('actions', () => {
  test('create_contact coerces typed input and posts JSON', async () => {
    const output = await run('actions.create_contact.execute', {
      input: {
        first_name: 'Barbara',
        last_name: 'Liskov',
        email: 'barbara@example.com',
        age: '86',
        vip: 'yes',
        birthday: '1939-11-07',
        status: 'customer',
        address: { street: '1 Main St', zip: '10115', country: 'DE', city: 'Berlin' },
        phones: [
          { kind: 'work', number: '+49 30 1234' },
          { kind: 'mobile', number: '+49 170 5678' },
        ],
      },
    });
    const sent = api.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/api/v2/contacts');
    expect(JSON.parse(sent.body)).toEqual({
      first_name: 'Barbara',
      last_name: 'Liskov',
      email: 'barbara@example.com',
      age: 86,
      vip: true,
      birthday: '1939-11-07',
      status: 'customer',
      address: { street: '1 Main St', zip: '10115', country: 'DE', city: 'Berlin' },
      phones: [
        { kind: 'work', number: '+49 30 1234' },
        { kind: 'mobile', number: '+49 170 5678' },
      ],
    });
    expect(output).toMatchObject({ id: 5, full_name: 'Barbara Liskov', age: 86, vip: true, status: 'customer' });
  });

  test('create_contact applies the default status and drops undeclared keys', async () => {
    const result = await execute(connector, 'actions.create_contact.execute', {
      connection: { ...connection },
      input: { first_name: 'Ken', email: 'ken@example.com', shoe_size: 44 },
    });
    expect(result).toMatchObject({ kind: 'output', dropped: ['input.shoe_size'] });
    const output = (result as { output: { full_name: string } }).output;
    expect(JSON.parse(api.requests.at(-1)!.body)).toEqual({
      first_name: 'Ken',
      email: 'ken@example.com',
      status: 'lead',
    });
    expect(output.full_name).toBe('Ken');
  });

  test('create_contact without a required field fails before any request', async () => {
    await expect(run('actions.create_contact.execute', { input: { first_name: 'Nobody' } })).rejects.toThrow(/email/);
    expect(api.requests).toHaveLength(0);
  });

  test('list_contacts sends filters and pagination as query parameters', async () => {
    const output = await run('actions.list_contacts.execute', {
      input: { status: 'customer', page: '1', per_page: 1 },
    });
    const url = new URL(api.requests[0].url, 'http://x');
    expect(url.pathname).toBe('/api/v2/contacts');
    expect(Object.fromEntries(url.searchParams)).toEqual({ status: 'customer', page: '1', per_page: '1' });
    expect(output).toEqual({
      contacts: [expect.objectContaining({ id: 1, full_name: 'Ada Lovelace', status: 'customer' })],
      next_page: 2,
    });
  });

  test('list_contacts retries a 429 honouring Retry-After', async () => {
    state.throttle = 1;
    const output = await run('actions.list_contacts.execute', { input: {} });
    expect(api.requests.map((r) => r.method + r.url.split('?')[0])).toEqual([
      'GET/api/v2/contacts',
      'GET/api/v2/contacts',
    ]);
    expect(output.contacts).toHaveLength(4);
  });

  test('get_contact unwraps the data envelope and adds full_name', async () => {
    const output = await run('actions.get_contact.execute', { input: { id: '2' } });
    expect(output).toEqual({
      id: 2,
      first_name: 'Grace',
      last_name: 'Hopper',
      full_name: 'Grace Hopper',
      email: 'grace@example.com',
      status: 'lead',
      created_at: '2026-03-01T10:00:00.000Z',
      updated_at: '2026-03-01T10:00:00.000Z',
    });
  });

  test('get_contact of a missing contact is an HTTP error with status and URL', async () => {
    await expect(run('actions.get_contact.execute', { input: { id: 99 } })).rejects.toThrow(
      /GET .*\/api\/v2\/contacts\/99.*404/,
    );
  });

  test('update_contact patches only the given fields', async () => {
    const output = await run('actions.update_contact.execute', { input: { id: 3, status: 'churned', vip: false } });
    const sent = api.requests.at(-1)!;
    expect(sent.method).toBe('PATCH');
    expect(sent.url).toBe('/api/v2/contacts/3');
    expect(JSON.parse(sent.body)).toEqual({ status: 'churned', vip: false });
    expect(output).toMatchObject({ id: 3, status: 'churned', vip: false, full_name: 'Alan Turing' });
  });

  test('update_contact with nothing to change is a connector error, no request', async () => {
    await expect(run('actions.update_contact.execute', { input: { id: 3 } })).rejects.toThrow(/Nothing to update/);
    expect(api.requests).toHaveLength(0);
  });

  test('delete_contact deletes, and a 404 yields deleted: false', async () => {
    expect(await run('actions.delete_contact.execute', { input: { id: 4 } })).toEqual({ id: 4, deleted: true });
    expect(state.contacts.has(4)).toBe(false);
    expect(await run('actions.delete_contact.execute', { input: { id: 4 } })).toEqual({ id: 4, deleted: false });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'DELETE /api/v2/contacts/4',
      'DELETE /api/v2/contacts/4',
    ]);
  });

  test('sample output is static', async () => {
    expect(await run('actions.create_contact.sample_output')).toMatchObject({ full_name: 'Ada Lovelace' });
  });
});

describe('new_contacts trigger', () => {
  test('pages through a window, then moves the time cursor; dedup drops the repeated contact', async () => {
    state.maxPerPage = 2;
    const now = () => new Date('2026-03-01T10:30:00.000Z');
    // First poll: the window starts one hour before now, so Ada (09:00) is out.
    const first = await run('triggers.new_contacts.poll', { now });
    expect(first.events.map((e: Contact) => e.id)).toEqual([2, 3]);
    expect(first.events[0].full_name).toBe('Grace Hopper');
    expect(first.canPollMore).toBe(true);
    expect(new URL(api.requests[0].url, 'http://x').searchParams.get('created_since')).toBe('2026-03-01T09:30:00.000Z');

    const second = await run('triggers.new_contacts.poll', { now, closure: first.nextPoll });
    expect(second.events.map((e: Contact) => e.id)).toEqual([4]);
    expect(second.canPollMore).toBe(false);
    expect(second.nextPoll).toMatchObject({ since: '2026-03-01T12:00:00.000Z', page: 1 });

    // The next cycle repeats the newest contact (inclusive cursor); its signature is the same.
    const third = await run('triggers.new_contacts.poll', { now, closure: second.nextPoll });
    expect(third.events.map((e: Contact) => e.id)).toEqual([4]);
    const signatures = await run('triggers.new_contacts.dedup', { input: [...second.events, ...third.events] });
    expect(signatures).toEqual(['contact-4', 'contact-4']);
  });

  test('the since input sets the first window', async () => {
    const result = await run('triggers.new_contacts.poll', { input: { since: '2026-03-01T00:00:00Z' } });
    expect(result.events).toHaveLength(4);
  });
});

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
