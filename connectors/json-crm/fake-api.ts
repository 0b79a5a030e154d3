/**
 * A strict fake of the Acme CRM API for the json-crm tests: it answers 400 (or 401) whenever the
 * connector sends something the real API would refuse. The executor-level tests record their
 * cassettes against it (WEFT_RECORD=1) and replay them without it; the CLI tests run against it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

export const API_KEY = 'sk-acme-live-7c1f2e9a04b3';
// The fake Acme CRM API

export interface Contact {
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

export const state = {
  contacts: new Map<number, Contact>(),
  nextId: 1,
  /** How many of the next list requests answer 429. */
  throttle: 0,
  /** The API caps page sizes at this. */
  maxPerPage: 100,
};

export function seed(): void {
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

export interface FakeAcme extends TestServer {
  /** The connection for this server. */
  connection: { base_url: string; api_key: string };
}

/** Starts the fake on 127.0.0.1 (ephemeral port), seeded. */
export async function startFakeAcme(): Promise<FakeAcme> {
  seed();
  const server = await startServer(handle);
  return Object.assign(server, { connection: { base_url: `${server.url}/api/v2`, api_key: API_KEY } });
}
