/**
 * Acme CRM through the executor, on cassettes: `WEFT_RECORD=1` records every exchange against the
 * strict fake API (fake-api.ts), which answers 400 (or 401) whenever the connector sends something
 * the real API would refuse; otherwise the tests replay `__cassettes__/connector.test.ts/*.json`
 * and no server is started. A request that differs from the recording fails the test.
 */
import { isRecording, type LoadConnectorOptions, loadConnector, type TestConnector } from '@weft/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { expectRefusedWithout } from '../test-support.js';
import type { FakeAcme } from './fake-api.js';

const recording = isRecording();
let api: FakeAcme | undefined;

beforeAll(async () => {
  if (recording) api = await (await import('./fake-api.js')).startFakeAcme();
});

afterAll(async () => {
  await api?.close();
});

beforeEach(async () => {
  if (recording) (await import('./fake-api.js')).seed();
});

/** Changes the fake's behaviour while recording (the cassette keeps the result for replay). */
async function whileRecording(change: (state: typeof import('./fake-api.js').state) => void): Promise<void> {
  if (recording) change((await import('./fake-api.js')).state);
}

/** The connector with this test's cassette; recording uses the fake's connection, replay the cassette's. */
function acme(options: LoadConnectorOptions & { connection?: never } = {}, overrides: Record<string, unknown> = {}) {
  const settings = recording
    ? { ...api!.connection, ...overrides }
    : Object.keys(overrides).length
      ? overrides
      : undefined;
  return loadConnector('./connector.ts', { retryBaseMs: 1, ...options, settings });
}

/** `METHOD /path?query` of each request sent in this test. */
function sent(crm: TestConnector): string[] {
  return crm.requests.map((r) => {
    const url = new URL(r.url);
    return `${r.method} ${url.pathname}${url.search}`;
  });
}

describe('connection', () => {
  test('test succeeds with the right key, sent in X-Api-Key', async () => {
    const crm = await acme();
    expect(await crm.test()).toEqual({ id: 'u-1', email: 'owner@acme.test' });
    expect(sent(crm)).toEqual(['GET /api/v2/me']);
    expect(crm.requests[0].headers['x-api-key']).toBe('<<SECRET:api_key>>');
  });

  test('test fails with a wrong key, naming the status and never the key', async () => {
    const crm = await acme({}, { api_key: 'sk-wrong-0000000' });
    await expectRefusedWithout(crm.test(), 'sk-wrong-0000000');
  });
});

describe('pick lists and fields', () => {
  test('contact_statuses is static; cities depends on the country and calls the API', async () => {
    const crm = await acme();
    expect(await crm.pickLists.contact_statuses()).toEqual([
      ['Lead', 'lead'],
      ['Customer', 'customer'],
      ['Churned', 'churned'],
    ]);
    expect(await crm.pickLists.cities({ country: 'DE' })).toEqual([
      ['Berlin', 'Berlin'],
      ['Hamburg', 'Hamburg'],
    ]);
    expect(sent(crm)).toEqual(['GET /api/v2/countries/DE/cities']);
    expect(await crm.pickLists.cities({})).toEqual([]);
  });

  test('create_contact input fields declare the dependent pick list', async () => {
    const crm = await acme();
    const fields = await crm.actions.create_contact.inputFields();
    const address = fields.find((f: { name: string }) => f.name === 'address');
    const city = address.properties.find((f: { name: string }) => f.name === 'city');
    expect(city).toMatchObject({ pickList: 'cities', pickListParams: { country: 'country' } });
    expect(fields.find((f: { name: string }) => f.name === 'status')).toMatchObject({ pickList: 'contact_statuses' });
  });

  test('output fields come from the contact object definition, which uses the address definition', async () => {
    const crm = await acme();
    const fields = await crm.actions.get_contact.outputFields();
    expect(fields.map((f: { name: string }) => f.name)).toContain('full_name');
    const address = fields.find((f: { name: string }) => f.name === 'address');
    expect(address.properties.map((f: { name: string }) => f.name)).toEqual(['street', 'city', 'zip', 'country']);
    expect(await crm.objectDefinitions.contact()).toEqual(fields);
  });

  test('format_name joins first and last name', async () => {
    const crm = await acme();
    expect(await crm.methods.format_name({ first_name: 'Ada', last_name: 'Lovelace' })).toBe('Ada Lovelace');
    expect(await crm.methods.format_name({ first_name: 'Cher' })).toBe('Cher');
  });
});

describe('actions', () => {
  test('create_contact coerces typed input and posts JSON', async () => {
    const crm = await acme();
    // Fields sent as given; age and vip arrive as strings and are sent coerced.
    const asGiven = {
      first_name: 'Barbara',
      last_name: 'Liskov',
      email: 'barbara@example.com',
      birthday: '1939-11-07',
      status: 'customer',
      address: { street: '1 Main St', zip: '10115', country: 'DE', city: 'Berlin' },
      phones: [
        { kind: 'work', number: '+49 30 1234' },
        { kind: 'mobile', number: '+49 170 5678' },
      ],
    };
    const output = await crm.actions.create_contact.execute({ input: { ...asGiven, age: '86', vip: 'yes' } });
    expect(sent(crm)).toEqual(['POST /api/v2/contacts']);
    expect(crm.requests[0].body).toEqual({ ...asGiven, age: 86, vip: true });
    expect(output).toMatchObject({ id: 5, full_name: 'Barbara Liskov', age: 86, vip: true, status: 'customer' });
  });

  test('create_contact applies the default status and drops undeclared keys', async () => {
    const crm = await acme();
    const output = await crm.actions.create_contact.execute({
      input: { first_name: 'Ken', email: 'ken@example.com', shoe_size: 44 },
    });
    expect(crm.requests.at(-1)!.body).toEqual({ first_name: 'Ken', email: 'ken@example.com', status: 'lead' });
    expect(output.full_name).toBe('Ken');
  });

  test('create_contact without a required field fails before any request', async () => {
    const crm = await acme();
    await expect(crm.actions.create_contact.execute({ input: { first_name: 'Nobody' } })).rejects.toThrow(/email/);
    expect(crm.requests).toHaveLength(0);
  });

  test('list_contacts sends filters and pagination as query parameters', async () => {
    const crm = await acme();
    const output = await crm.actions.list_contacts.execute({ input: { status: 'customer', page: '1', per_page: 1 } });
    const url = new URL(crm.requests[0].url);
    expect(url.pathname).toBe('/api/v2/contacts');
    expect(Object.fromEntries(url.searchParams)).toEqual({ status: 'customer', page: '1', per_page: '1' });
    expect(output).toEqual({
      contacts: [expect.objectContaining({ id: 1, full_name: 'Ada Lovelace', status: 'customer' })],
      next_page: 2,
    });
  });

  test('list_contacts retries a 429 honouring Retry-After', async () => {
    await whileRecording((state) => {
      state.throttle = 1;
    });
    const crm = await acme();
    const output = await crm.actions.list_contacts.execute({ input: {} });
    expect(sent(crm).map((r) => r.split('?')[0])).toEqual(['GET /api/v2/contacts', 'GET /api/v2/contacts']);
    expect(output.contacts).toHaveLength(4);
  });

  test('get_contact unwraps the data envelope and adds full_name', async () => {
    const crm = await acme();
    const output = await crm.actions.get_contact.execute({ input: { id: '2' } });
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
    const crm = await acme();
    await expect(crm.actions.get_contact.execute({ input: { id: 99 } })).rejects.toThrow(
      /GET .*\/api\/v2\/contacts\/99.*404/,
    );
  });

  test('update_contact patches only the given fields', async () => {
    const crm = await acme();
    const output = await crm.actions.update_contact.execute({ input: { id: 3, status: 'churned', vip: false } });
    expect(sent(crm)).toEqual(['PATCH /api/v2/contacts/3']);
    expect(crm.requests[0].body).toEqual({ status: 'churned', vip: false });
    expect(output).toMatchObject({ id: 3, status: 'churned', vip: false, full_name: 'Alan Turing' });
  });

  test('update_contact with nothing to change is a connector error, no request', async () => {
    const crm = await acme();
    await expect(crm.actions.update_contact.execute({ input: { id: 3 } })).rejects.toThrow(/Nothing to update/);
    expect(crm.requests).toHaveLength(0);
  });

  test('delete_contact deletes, and a 404 yields deleted: false', async () => {
    const crm = await acme();
    expect(await crm.actions.delete_contact.execute({ input: { id: 4 } })).toEqual({ id: 4, deleted: true });
    // The same request again: replay answers with the second recording (the 404).
    expect(await crm.actions.delete_contact.execute({ input: { id: 4 } })).toEqual({ id: 4, deleted: false });
    expect(sent(crm)).toEqual(['DELETE /api/v2/contacts/4', 'DELETE /api/v2/contacts/4']);
  });

  test('sample output is static', async () => {
    const crm = await acme();
    expect(await crm.actions.create_contact.sampleOutput()).toMatchObject({ full_name: 'Ada Lovelace' });
  });
});

describe('new_contacts trigger', () => {
  test('pages through a window, then moves the time cursor; dedup drops the repeated contact', async () => {
    await whileRecording((state) => {
      state.maxPerPage = 2;
    });
    // First poll: the window starts one hour before now, so Ada (09:00) is out.
    const crm = await acme({ now: '2026-03-01T10:30:00.000Z' });
    const first = await crm.triggers.new_contacts.poll();
    expect(first.events.map((e: { id: number }) => e.id)).toEqual([2, 3]);
    expect(first.events[0].full_name).toBe('Grace Hopper');
    expect(first.canPollMore).toBe(true);
    expect(new URL(crm.requests[0].url).searchParams.get('created_since')).toBe('2026-03-01T09:30:00.000Z');

    const second = await crm.triggers.new_contacts.poll({ closure: first.nextPoll });
    expect(second.events.map((e: { id: number }) => e.id)).toEqual([4]);
    expect(second.canPollMore).toBe(false);
    expect(second.nextPoll).toMatchObject({ since: '2026-03-01T12:00:00.000Z', page: 1 });

    // The next cycle repeats the newest contact (inclusive cursor); its signature is the same.
    const third = await crm.triggers.new_contacts.poll({ closure: second.nextPoll });
    expect(third.events.map((e: { id: number }) => e.id)).toEqual([4]);
    expect(await crm.triggers.new_contacts.dedup([...second.events, ...third.events])).toEqual([
      'contact-4',
      'contact-4',
    ]);
  });

  test('pollAll reads every page of a window', async () => {
    await whileRecording((state) => {
      state.maxPerPage = 1;
    });
    const crm = await acme();
    const all = await crm.triggers.new_contacts.pollAll({ input: { since: '2026-03-01T00:00:00Z' } });
    expect(all.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4]);
    expect(all).toMatchObject({ polls: 4, canPollMore: false, nextPoll: { since: '2026-03-01T12:00:00.000Z' } });
  });

  test('the since input sets the first window', async () => {
    const crm = await acme();
    const result = await crm.triggers.new_contacts.poll({ input: { since: '2026-03-01T00:00:00Z' } });
    expect(result.events).toHaveLength(4);
  });
});
