/**
 * Legacy Billing against a fake of its form-encoded API. The fake checks the Basic header and
 * the content type, decodes bracketed names (`customer[name]`, `lines[0][amount]`, `lines[][amount]`,
 * `tags[]`) and, like the real thing, reports business errors as HTTP 200 with `result=error`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, type ExecuteOptions, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { execWeft, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';
import { expectRefusedWithout, outputOf } from '../test-support.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const USER = 'acme-billing';
const PASSWORD = 'Pa55-w0rd!legacy';

// ---------------------------------------------------------------------------------------------
// Decoding bracketed form names

type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** Decodes `a[b][0][c]=v` style names into nested objects and arrays (PHP/Rails conventions). */
function decodeForm(body: string): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) throw new Error(`malformed name ${key}`);
    const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])];
    let cur: any = out;
    for (let i = 0; i < path.length; i++) {
      const name = path[i];
      const last = i === path.length - 1;
      if (name === '') {
        if (!Array.isArray(cur)) throw new Error(`${key}: [] on a non-list`);
        if (last) {
          cur.push(value);
          break;
        }
        // Rails: `lines[][a]` starts a new element when the last one already has `a`.
        let element = cur[cur.length - 1];
        if (!element || typeof element !== 'object' || (i + 1 === path.length - 1 && path[i + 1] in element)) {
          element = {};
          cur.push(element);
        }
        cur = element;
        continue;
      }
      if (last) {
        if (name in cur && !Array.isArray(cur)) cur[name] = [...[cur[name]].flat(), value];
        else cur[name] = value;
        break;
      }
      const next = path[i + 1];
      cur[name] ??= next === '' || /^\d+$/.test(next) ? [] : {};
      cur = cur[name];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fake Legacy Billing API

interface Invoice {
  id: string;
  customer: string;
  total: string;
  currency: string;
  status: string;
  lines: number;
  tags: string[];
  send_email: boolean;
}

const invoices = new Map<string, Invoice>();
let lastForm: Record<string, FormValue> | undefined;
let nextNumber = 1001;

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const formReply = (res: ServerResponse, values: Record<string, string>) =>
  reply(res, 200, 'application/x-www-form-urlencoded', new URLSearchParams(values).toString());

function readForm(req: IncomingMessage, res: ServerResponse, body: string): Record<string, FormValue> | undefined {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/.test(type)) {
    reply(res, 400, 'text/plain', `Bad Request: expected application/x-www-form-urlencoded, got ${type}`);
    return undefined;
  }
  try {
    lastForm = decodeForm(body);
    return lastForm;
  } catch (error) {
    reply(res, 400, 'text/plain', `Bad Request: ${(error as Error).message}`);
    return undefined;
  }
}

/** Checks an invoice form; returns an error message (sent as result=error) or the invoice. */
function invoiceFrom(form: Record<string, FormValue>): Invoice | string {
  for (const key of Object.keys(form)) {
    if (!['customer', 'currency', 'due_date', 'lines', 'tags', 'send_email'].includes(key))
      return `unknown field ${key}`;
  }
  const customer = form.customer as Record<string, string> | undefined;
  if (!customer || typeof customer !== 'object' || Array.isArray(customer)) return 'customer[...] fields are required';
  if (!customer.name) return 'customer[name] is required';
  if (!/^[^@\s]+@[^@\s]+\.\w+$/.test(customer.email ?? '')) return 'invalid email';
  if (!['EUR', 'USD', 'GBP'].includes(form.currency as string)) return `unsupported currency ${form.currency}`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test((form.due_date as string) ?? '')) return 'due_date must be YYYY-MM-DD';
  if (!['0', '1'].includes(form.send_email as string)) return 'send_email must be 0 or 1';
  const lines = form.lines as Record<string, string>[];
  if (!Array.isArray(lines) || lines.length === 0) return 'lines[...] are required';
  let cents = 0;
  for (const line of lines) {
    if (!line || typeof line !== 'object' || !line.description) return 'each line needs a description';
    if (!/^\d+$/.test(line.quantity ?? '')) return 'line quantity must be an integer';
    if (!/^\d+\.\d{2}$/.test(line.unit_price ?? '')) return 'line unit_price must have two decimals';
    cents += Number(line.quantity) * Math.round(Number(line.unit_price) * 100);
  }
  // One tag sent as a repeated name (`tags=a`) is indistinguishable from a plain value.
  const tags = typeof form.tags === 'string' ? [form.tags] : (form.tags ?? []);
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) return 'tags must be a list of words';
  return {
    id: `INV-${nextNumber++}`,
    customer: customer.name,
    total: (cents / 100).toFixed(2),
    currency: form.currency as string,
    status: 'open',
    lines: lines.length,
    tags: tags as string[],
    send_email: form.send_email === '1',
  };
}

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  if (req.headers.authorization !== expected) {
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="billing"' });
    return void res.end('Unauthorized');
  }
  const url = new URL(req.url ?? '/', 'http://fake');
  if (req.method === 'GET' && url.pathname === '/billing/ping.php') return reply(res, 200, 'text/plain', 'PONG\n');

  if (req.method === 'POST' && url.pathname === '/billing/invoice_create.php') {
    const form = readForm(req, res, body);
    if (!form) return;
    const invoice = invoiceFrom(form);
    if (typeof invoice === 'string') return formReply(res, { result: 'error', message: invoice });
    invoices.set(invoice.id, invoice);
    return formReply(res, { result: 'ok', invoice_id: invoice.id, total: invoice.total, currency: invoice.currency });
  }

  if (req.method === 'GET' && url.pathname === '/billing/invoice_get.php') {
    const invoice = invoices.get(url.searchParams.get('id') ?? '');
    if (!invoice) return reply(res, 200, 'text/plain', 'ERROR: no such invoice\n');
    return reply(
      res,
      200,
      'text/plain; charset=utf-8',
      [
        `INVOICE: ${invoice.id}`,
        `STATUS: ${invoice.status}`,
        `CUSTOMER: ${invoice.customer}`,
        `TOTAL: ${invoice.total} ${invoice.currency}`,
        `LINES: ${invoice.lines}`,
        '',
      ].join('\r\n'),
    );
  }

  if (req.method === 'POST' && url.pathname === '/billing/invoice_void.php') {
    const form = readForm(req, res, body);
    if (!form) return;
    const invoice = invoices.get(form.id as string);
    if (!invoice) return formReply(res, { result: 'error', message: 'no such invoice' });
    if (invoice.status === 'void') return formReply(res, { result: 'error', message: 'already void' });
    invoice.status = 'void';
    return formReply(res, { result: 'ok' });
  }
  reply(res, 404, 'text/html', '<html><body>404 Not Found</body></html>');
}

// ---------------------------------------------------------------------------------------------

let api: TestServer;
let connector: ConnectorDefinition;
let dir: string;
let settings: string;
let connection: Record<string, unknown>;

const INVOICE = {
  customer: { name: 'Ada Lovelace & Co', email: 'ada@example.com' },
  currency: 'GBP',
  due_date: '2026-04-30',
  lines: [
    { description: 'Analytical engine — design', quantity: '2', unit_price: '100.5' },
    { description: 'Notes (translation)', unit_price: 30 },
  ],
  tags: ['engines', 'urgent'],
  send_email: 'true',
};

beforeAll(async () => {
  api = await startServer(handle);
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  dir = await mkdtemp(join(tmpdir(), 'weft-form-legacy-'));
  connection = { base_url: `${api.url}/billing`, username: USER, password: PASSWORD };
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}/billing\nusername: ${USER}\npassword: "${PASSWORD}"\n`);
});

afterAll(async () => {
  await closeHttp();
  await api.close();
});

beforeEach(() => {
  invoices.clear();
  nextNumber = 1001;
  lastForm = undefined;
  api.requests.length = 0;
});

const run = (path: string, options: ExecuteOptions = {}) => outputOf(connector, connection, path, options);

function weft(path: string, ...flags: string[]) {
  return execWeft(CONNECTOR, settings, path, ...flags);
}

describe('the form decoder of the fake itself', () => {
  test('reads indexed, Rails-style and repeated names', () => {
    expect(decodeForm('a[b]=1&l[0][x]=1&l[0][y]=2&l[1][x]=3&t[]=p&t[]=q&r=1&r=2')).toEqual({
      a: { b: '1' },
      l: [{ x: '1', y: '2' }, { x: '3' }],
      t: ['p', 'q'],
      r: ['1', '2'],
    });
    expect(decodeForm('l[][x]=1&l[][y]=2&l[][x]=3')).toEqual({ l: [{ x: '1', y: '2' }, { x: '3' }] });
  });
});

describe('connection', () => {
  test('test pings with HTTP Basic credentials', async () => {
    expect(await run('test')).toEqual({ ok: true });
    expect(api.requests[0].headers.authorization).toMatch(/^Basic /);
  });

  test('a wrong password fails with 401 and the password is not in the message', async () => {
    await expectRefusedWithout(
      execute(connector, 'test', { connection: { ...connection, password: 'wrong-pass-123' } }),
      'wrong-pass-123',
    );
  });
});

describe('create_invoice', () => {
  test('posts nested fields and arrays form-url-encoded and parses the form-encoded answer', async () => {
    const output = await run('actions.create_invoice.execute', { input: INVOICE });
    expect(api.requests[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    // Brackets may be sent literally or percent-encoded; servers read both.
    expect(decodeURIComponent(api.requests[0].body)).toContain('customer[name]=Ada');
    expect(lastForm).toEqual({
      customer: { name: 'Ada Lovelace & Co', email: 'ada@example.com' },
      currency: 'GBP',
      due_date: '2026-04-30',
      lines: [
        { description: 'Analytical engine — design', quantity: '2', unit_price: '100.50' },
        { description: 'Notes (translation)', quantity: '1', unit_price: '30.00' },
      ],
      tags: ['engines', 'urgent'],
      send_email: '1',
    });
    expect(output).toEqual({ invoice_id: 'INV-1001', total: 231, currency: 'GBP', status: 'open' });
    expect(invoices.get('INV-1001')).toMatchObject({ send_email: true, tags: ['engines', 'urgent'] });
  });

  test('defaults: EUR, no tags, no email', async () => {
    const { tags: _tags, send_email: _send, currency: _currency, ...minimal } = INVOICE;
    const output = await run('actions.create_invoice.execute', { input: minimal });
    expect(lastForm).toMatchObject({ currency: 'EUR', send_email: '0' });
    expect(lastForm).not.toHaveProperty('tags');
    expect(output.currency).toBe('EUR');
  });

  test('a refusal sent as HTTP 200 result=error becomes a connector error', async () => {
    await expect(
      run('actions.create_invoice.execute', { input: { ...INVOICE, customer: { name: 'X', email: 'not-an-email' } } }),
    ).rejects.toThrow('Legacy Billing refused the invoice: invalid email');
  });

  test('a missing required nested field fails before any request', async () => {
    await expect(
      run('actions.create_invoice.execute', { input: { ...INVOICE, customer: { email: 'a@b.example' } } }),
    ).rejects.toThrow(/customer\.name|name/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('get_invoice and void_invoice', () => {
  test('get_invoice parses the text answer; void_invoice voids once', async () => {
    await run('actions.create_invoice.execute', { input: INVOICE });
    expect(await run('actions.get_invoice.execute', { input: { invoice_id: 'INV-1001' } })).toEqual({
      invoice_id: 'INV-1001',
      status: 'open',
      customer: 'Ada Lovelace & Co',
      total: 231,
      currency: 'GBP',
      lines: 2,
    });
    expect(new URL(api.requests.at(-1)!.url, 'http://x').search).toBe('?id=INV-1001');

    expect(
      await run('actions.void_invoice.execute', { input: { invoice_id: 'INV-1001', reason: 'duplicate' } }),
    ).toEqual({
      invoice_id: 'INV-1001',
      status: 'void',
    });
    expect(lastForm).toEqual({ id: 'INV-1001', reason: 'duplicate' });
    expect((await run('actions.get_invoice.execute', { input: { invoice_id: 'INV-1001' } })).status).toBe('void');
    await expect(run('actions.void_invoice.execute', { input: { invoice_id: 'INV-1001' } })).rejects.toThrow(
      'Legacy Billing could not void INV-1001: already void',
    );
  });

  test('an unknown invoice is a connector error', async () => {
    await expect(run('actions.get_invoice.execute', { input: { invoice_id: 'INV-9' } })).rejects.toThrow(
      'Legacy Billing: no such invoice',
    );
  });
});

describe('weft exec', () => {
  test('create_invoice from an input file prints the invoice as JSON', async () => {
    const input = join(dir, 'invoice.json');
    await writeFile(input, JSON.stringify(INVOICE));
    const result = await weft('actions.create_invoice.execute', `--input=${input}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ invoice_id: 'INV-1001', total: 231, currency: 'GBP', status: 'open' });
  });

  test('--verbose hides the password and the Basic credentials', async () => {
    const result = await weft('test', '--verbose');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true });
    expect(result.stderr).toMatch(/GET .*\/billing\/ping\.php/);
    expect(result.stderr).toMatch(/authorization: \[REDACTED\]/i);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});
