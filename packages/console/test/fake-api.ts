/**
 * The CRM the fixture connector talks to: a small HTTP API on a free port, with an API key.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const API_KEY = 'crm-secret-key-123';
export const OAUTH_TOKEN = 'notes-access-token-789';

const COUNTRIES = [
  { code: 'FR', name: 'France' },
  { code: 'DE', name: 'Germany' },
];
const CITIES: Record<string, Array<{ code: string; name: string }>> = {
  FR: [
    { code: 'PAR', name: 'Paris' },
    { code: 'LYS', name: 'Lyon' },
  ],
  DE: [
    { code: 'BER', name: 'Berlin' },
    { code: 'MUC', name: 'Munich' },
  ],
};
const FOLDERS: Record<string, Array<{ id: string; name: string; children: boolean }>> = {
  '': [
    { id: 'sales', name: 'Sales', children: true },
    { id: 'support', name: 'Support', children: false },
  ],
  sales: [
    { id: 'sales-eu', name: 'Europe', children: false },
    { id: 'sales-us', name: 'Americas', children: false },
  ],
};

/** Input fields of `create_contact`, by contact type. */
const FIELDS: Record<string, unknown[]> = {
  person: [
    { name: 'email', controlType: 'email', hint: 'The work address' },
    { name: 'name', optional: true, sticky: true },
    { name: 'country', controlType: 'select', pickList: 'countries', optional: true, sticky: true },
    {
      name: 'city',
      controlType: 'select',
      pickList: 'cities',
      pickListParams: { country: 'country' },
      optional: true,
      sticky: true,
    },
    { name: 'newsletter', type: 'boolean', optional: true },
  ],
  company: [
    { name: 'email', controlType: 'email' },
    { name: 'company_name', label: 'Company name' },
    { name: 'size', type: 'integer', optional: true },
  ],
};

export interface FakeApi {
  url: string;
  requests: Array<{ method: string; path: string; body?: unknown }>;
  contacts: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeApi(): Promise<FakeApi> {
  const requests: FakeApi['requests'] = [];
  const contacts: FakeApi['contacts'] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await bodyOf(req).catch(() => undefined);
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body });
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    // OAuth 2.0 for the notes connector: the user "approves" at once.
    if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'code-123');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      return send(200, { access_token: OAUTH_TOKEN, token_type: 'Bearer', expires_in: 3600 });
    }
    if (url.pathname.startsWith('/notes')) {
      if (req.headers.authorization !== `Bearer ${OAUTH_TOKEN}`) return send(401, { error: 'sign in first' });
      return send(200, url.pathname === '/notes/me' ? { id: 'u1' } : [{ id: 'n1', text: 'Hello' }]);
    }
    if (req.headers['x-api-key'] !== API_KEY) return send(401, { error: 'invalid API key' });
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/me') return send(200, { id: 'u1', name: 'Ada' });
    if (req.method === 'GET' && path === '/countries') return send(200, COUNTRIES);
    if (req.method === 'GET' && path === '/cities')
      return send(200, CITIES[url.searchParams.get('country') ?? ''] ?? []);
    if (req.method === 'GET' && path === '/folders')
      return send(200, FOLDERS[url.searchParams.get('parent') ?? ''] ?? []);
    if (req.method === 'GET' && path === '/fields') return send(200, FIELDS[url.searchParams.get('type') ?? ''] ?? []);
    if (req.method === 'POST' && path === '/contacts') {
      const contact = { id: `c_${contacts.length + 1}`, ...(body as Record<string, unknown>) };
      contacts.push(contact);
      return send(201, contact);
    }
    send(404, { error: `no route ${req.method} ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    contacts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
