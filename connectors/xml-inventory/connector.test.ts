/**
 * Acme Inventory against a fake XML API. The fake parses the XML it receives (a small
 * tokenizer: enough for the elements and attributes this API uses) and answers 400 when the
 * root, namespace, attributes or repeated elements are not what the real API expects.
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
const TOKEN = 'inv-tok-5d1c0b7e3a9f';
const NS = 'urn:acme:inventory:v1';

// ---------------------------------------------------------------------------------------------
// A minimal XML reader for the fake server

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** Parses a document; throws on anything malformed (unbalanced tags, a bare `&`, ...). */
function parseXml(xml: string): Node {
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  const tokens = xml.match(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<[^>]+>|[^<]+/g) ?? [];
  for (const token of tokens) {
    if (token.startsWith('<?') || token.startsWith('<!--')) continue;
    const top = stack[stack.length - 1];
    if (token.startsWith('</')) {
      const name = token.slice(2, -1).trim();
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else if (token.startsWith('<')) {
      const m = /^<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>$/.exec(token);
      if (!m) throw new Error(`malformed tag ${token}`);
      const node: Node = { name: m[1], attrs: {}, children: [], text: '' };
      for (const a of m[2].matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        node.attrs[a[1]] = decode(a[2] ?? a[3]);
      }
      top.children.push(node);
      if (!m[3]) stack.push(node);
    } else {
      if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(token)) throw new Error('unescaped &');
      top.text += decode(token);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is not closed`);
  return root;
}

const all = (node: Node, name: string) => node.children.filter((c) => c.name === name);

// ---------------------------------------------------------------------------------------------
// The fake API

interface Item {
  sku: string;
  status: string;
  name: string;
  quantity: number;
  price?: { amount: string; currency: string };
  tags: string[];
  locations: { warehouse: string; bin: string }[];
  note?: string;
}

const items = new Map<string, Item>();

function seed(): void {
  items.clear();
  for (const item of [
    {
      sku: '00017',
      status: 'active',
      name: 'Bolt M6',
      quantity: 250,
      tags: ['metal'],
      locations: [{ warehouse: 'BER', bin: 'A-01' }],
      note: 'fragile',
    },
    {
      sku: '01234',
      status: 'active',
      name: 'Widget & Co',
      quantity: 42,
      price: { amount: '9.90', currency: 'EUR' },
      tags: ['red', 'small'],
      locations: [
        { warehouse: 'BER', bin: 'B-07' },
        { warehouse: 'HAM', bin: 'C-02' },
      ],
    },
    {
      sku: '20000',
      status: 'discontinued',
      name: 'Gizmo',
      quantity: 0,
      tags: [],
      locations: [{ warehouse: 'HAM', bin: 'Z-9' }],
    },
  ]) {
    items.set(item.sku, item);
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An item as XML; `p` is the namespace prefix ('' for none). */
function itemXml(item: Item, p: string, indent = ''): string {
  const t = (name: string) => (p ? `${p}:${name}` : name);
  const nl = indent ? `\n${indent}  ` : '';
  const parts = [
    `<${t('Name')}>${esc(item.name)}</${t('Name')}>`,
    `<${t('Quantity')}>${String(item.quantity).padStart(4, '0')}</${t('Quantity')}>`,
    ...(item.price ? [`<${t('Price')} currency="${item.price.currency}">${item.price.amount}</${t('Price')}>`] : []),
    ...item.tags.map((tag) => `<${t('Tag')}>${esc(tag)}</${t('Tag')}>`),
    ...item.locations.map(
      (l) =>
        `<${t('Location')} warehouse="${esc(l.warehouse)}"><${t('Bin')}>${esc(l.bin)}</${t('Bin')}></${t('Location')}>`,
    ),
    ...(item.note && p ? [`<x:Note>${esc(item.note)}</x:Note>`] : []),
  ];
  return `<${t('Item')} sku="${item.sku}" status="${item.status}">${nl}${parts.join(nl)}${indent ? `\n${indent}` : ''}</${t('Item')}>`;
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function fault(res: ServerResponse, status: number, code: string, message: string): void {
  xml(
    res,
    status,
    `<inv:Error xmlns:inv="${NS}"><inv:Code>${code}</inv:Code><inv:Message>${esc(message)}</inv:Message></inv:Error>`,
  );
}

/** Reads a create request; returns the item or a problem. */
function readItem(req: IncomingMessage, body: string): Item | string {
  if (!/^(application|text)\/xml\b/.test(req.headers['content-type'] ?? '')) {
    return `expected an XML content type, got ${req.headers['content-type']}`;
  }
  let doc: Node;
  try {
    doc = parseXml(body);
  } catch (error) {
    return `malformed XML: ${(error as Error).message}`;
  }
  if (doc.children.length !== 1) return 'expected exactly one root element';
  const root = doc.children[0];
  if (root.name !== 'inv:Item') return `root must be <inv:Item>, got <${root.name}>`;
  if (root.attrs['xmlns:inv'] !== NS) return `xmlns:inv must be ${NS}`;
  if (!/^\d+$/.test(root.attrs.sku ?? '')) return 'sku attribute must be digits';
  if (!['active', 'discontinued'].includes(root.attrs.status)) return 'status attribute must be active or discontinued';
  for (const child of root.children) {
    if (!['inv:Name', 'inv:Quantity', 'inv:Price', 'inv:Tag', 'inv:Location'].includes(child.name)) {
      return `unexpected element <${child.name}>`;
    }
  }
  const names = all(root, 'inv:Name');
  if (names.length !== 1 || !names[0].text) return 'exactly one non-empty <inv:Name> is required';
  const quantity = all(root, 'inv:Quantity');
  if (quantity.length !== 1 || !/^\d+$/.test(quantity[0].text)) return '<inv:Quantity> must hold an integer';
  const price = all(root, 'inv:Price')[0];
  if (price && (!/^\d+(\.\d+)?$/.test(price.text) || !/^[A-Z]{3}$/.test(price.attrs.currency ?? ''))) {
    return '<inv:Price currency="XXX"> must hold a decimal';
  }
  const locations = all(root, 'inv:Location').map((l) => ({
    warehouse: l.attrs.warehouse,
    bin: all(l, 'inv:Bin')[0]?.text,
  }));
  if (locations.some((l) => !l.warehouse || !l.bin)) return '<inv:Location warehouse="..."> needs an <inv:Bin>';
  return {
    sku: root.attrs.sku,
    status: root.attrs.status,
    name: names[0].text,
    quantity: Number(quantity[0].text),
    price: price ? { amount: price.text, currency: price.attrs.currency } : undefined,
    tags: all(root, 'inv:Tag').map((t) => t.text),
    locations: locations as Item['locations'],
  };
}

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (url.searchParams.get('token') !== TOKEN) return fault(res, 401, 'UNAUTHORIZED', 'missing or wrong token');
  if (!/xml/.test(req.headers.accept ?? '')) return fault(res, 406, 'NOT_ACCEPTABLE', 'this API only speaks XML');
  if (!url.pathname.startsWith('/v1/')) return fault(res, 404, 'NO_ROUTE', url.pathname);
  const path = url.pathname.slice(3);

  if (req.method === 'GET' && path === '/ping') return xml(res, 200, `<Pong xmlns="${NS}" version="3.2"/>`);

  if (req.method === 'GET' && path === '/items') {
    for (const key of url.searchParams.keys()) {
      if (!['token', 'warehouse', 'page'].includes(key))
        return fault(res, 400, 'BAD_PARAM', `unknown parameter ${key}`);
    }
    const warehouse = url.searchParams.get('warehouse');
    const page = Number(url.searchParams.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) return fault(res, 400, 'BAD_PARAM', 'page must be a positive integer');
    const found = [...items.values()].filter((i) => !warehouse || i.locations.some((l) => l.warehouse === warehouse));
    const pageItems = found.slice((page - 1) * 2, page * 2);
    const more = page * 2 < found.length;
    return xml(
      res,
      200,
      `<inv:Inventory xmlns:inv="${NS}" xmlns:x="urn:acme:extensions" count="${found.length}" page="${page}" more="${more}">\n${pageItems
        .map((i) => `  ${itemXml(i, 'inv', '  ')}`)
        .join('\n')}\n</inv:Inventory>`,
    );
  }

  const one = /^\/items\/(\d+)$/.exec(path);
  if (req.method === 'GET' && one) {
    const item = items.get(one[1]);
    if (!item) return fault(res, 404, 'NOT_FOUND', `Item ${one[1]} not found`);
    // Single items come without a namespace, in one line.
    return xml(res, 200, itemXml(item, ''));
  }

  if (req.method === 'POST' && path === '/items') {
    const item = readItem(req, body);
    if (typeof item === 'string') return fault(res, 400, 'BAD_REQUEST', item);
    if (items.has(item.sku)) return fault(res, 409, 'CONFLICT', `Item ${item.sku} exists`);
    items.set(item.sku, item);
    return xml(res, 201, itemXml(item, 'a').replace('<a:Item ', `<a:Item xmlns:a="${NS}" `));
  }
  fault(res, 404, 'NO_ROUTE', `${req.method} ${path}`);
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
  dir = await mkdtemp(join(tmpdir(), 'weft-xml-inventory-'));
  connection = { base_url: `${api.url}/v1`, api_token: TOKEN };
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}/v1\napi_token: ${TOKEN}\n`);
});

afterAll(async () => {
  await closeHttp();
  await api.close();
});

beforeEach(() => {
  seed();
  api.requests.length = 0;
});

const run = (path: string, options: ExecuteOptions = {}) => outputOf(connector, connection, path, options);

function weft(path: string, ...flags: string[]) {
  return execWeft(CONNECTOR, settings, path, ...flags);
}

describe('the XML reader of the fake itself', () => {
  test('rejects what a real XML parser rejects', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a>x & y</a>')).toThrow();
    expect(parseXml('<a k="1 &amp; 2"><b/>t</a>').children[0]).toMatchObject({ attrs: { k: '1 & 2' }, text: 't' });
  });
});

describe('connection', () => {
  test('test reads the namespaced Pong with the token as query parameter', async () => {
    expect(await run('test')).toEqual({ ok: true, version: '3.2' });
    expect(new URL(api.requests[0].url, 'http://x').searchParams.get('token')).toBe(TOKEN);
  });

  test('a wrong token fails with the status, and the token is redacted from the URL', async () => {
    await expectRefusedWithout(
      execute(connector, 'test', {
        connection: { ...connection, api_token: 'inv-tok-wrong-111' },
      }),
      'inv-tok-wrong-111',
    );
  });
});

describe('get_item', () => {
  test('parses by the XML convention: arrays for children, @attributes, #text strings', async () => {
    const doc = await run('actions.get_item.execute', { input: { sku: '01234', raw: true } });
    expect(doc).toEqual({
      Item: [
        {
          '@sku': '01234',
          '@status': 'active',
          Name: [{ '#text': 'Widget & Co' }],
          Quantity: [{ '#text': '0042' }],
          Price: [{ '@currency': 'EUR', '#text': '9.90' }],
          Tag: [{ '#text': 'red' }, { '#text': 'small' }],
          Location: [
            { '@warehouse': 'BER', Bin: [{ '#text': 'B-07' }] },
            { '@warehouse': 'HAM', Bin: [{ '#text': 'C-02' }] },
          ],
        },
      ],
    });
  });

  test('shapes the item; the SKU keeps its leading zero', async () => {
    expect(await run('actions.get_item.execute', { input: { sku: '01234' } })).toEqual({
      sku: '01234',
      status: 'active',
      name: 'Widget & Co',
      quantity: 42,
      price: { amount: 9.9, currency: 'EUR' },
      tags: ['red', 'small'],
      locations: [
        { warehouse: 'BER', bin: 'B-07' },
        { warehouse: 'HAM', bin: 'C-02' },
      ],
    });
    expect(api.requests[0].headers.accept).toMatch(/application\/xml/);
  });

  test('a missing item is a clear connector error', async () => {
    await expect(run('actions.get_item.execute', { input: { sku: '99999' } })).rejects.toThrow(
      'No item with SKU 99999 in Acme Inventory',
    );
  });
});

describe('create_item', () => {
  test('sends XML with a namespace, attributes and repeated elements', async () => {
    const output = await run('actions.create_item.execute', {
      input: {
        sku: '00420',
        name: 'Nut <M6> & washer',
        quantity: '7',
        price: '0.35',
        tags: ['metal', 'tiny'],
        locations: [
          { warehouse: 'BER', bin: 'A-02' },
          { warehouse: 'HAM', bin: 'D-11' },
        ],
      },
    });
    const sent = api.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(new URL(sent.url, 'http://x').pathname).toBe('/v1/items');
    const root = parseXml(sent.body).children[0];
    expect(root.name).toBe('inv:Item');
    expect(root.attrs).toMatchObject({ 'xmlns:inv': NS, sku: '00420', status: 'active' });
    expect(all(root, 'inv:Tag').map((t) => t.text)).toEqual(['metal', 'tiny']);
    expect(all(root, 'inv:Price')[0]).toMatchObject({ attrs: { currency: 'EUR' }, text: '0.35' });
    expect(items.get('00420')).toEqual({
      sku: '00420',
      status: 'active',
      name: 'Nut <M6> & washer',
      quantity: 7,
      price: { amount: '0.35', currency: 'EUR' },
      tags: ['metal', 'tiny'],
      locations: [
        { warehouse: 'BER', bin: 'A-02' },
        { warehouse: 'HAM', bin: 'D-11' },
      ],
    });
    // The answer uses another prefix for the same namespace: stripped, it reads the same.
    expect(output).toEqual({
      sku: '00420',
      status: 'active',
      name: 'Nut <M6> & washer',
      quantity: 7,
      price: { amount: 0.35, currency: 'EUR' },
      tags: ['metal', 'tiny'],
      locations: [
        { warehouse: 'BER', bin: 'A-02' },
        { warehouse: 'HAM', bin: 'D-11' },
      ],
    });
  });

  test('a minimal item has no optional elements', async () => {
    const output = await run('actions.create_item.execute', { input: { sku: '5', name: 'Plain' } });
    const root = parseXml(api.requests.at(-1)!.body).children[0];
    expect(root.children.map((c) => c.name)).toEqual(['inv:Name', 'inv:Quantity']);
    expect(output).toEqual({ sku: '5', status: 'active', name: 'Plain', quantity: 0, tags: [], locations: [] });
  });

  test('a conflict is an HTTP error naming the status', async () => {
    await expect(run('actions.create_item.execute', { input: { sku: '01234', name: 'Again' } })).rejects.toThrow(/409/);
  });
});

describe('list_items', () => {
  test('reads repeated namespaced elements with stripNamespaces', async () => {
    const output = await run('actions.list_items.execute', { input: { warehouse: 'BER' } });
    expect(Object.fromEntries(new URL(api.requests[0].url, 'http://x').searchParams)).toEqual({
      token: TOKEN,
      warehouse: 'BER',
      page: '1',
    });
    expect(output).toEqual({
      count: 2,
      more: false,
      items: [
        {
          sku: '00017',
          status: 'active',
          name: 'Bolt M6',
          quantity: 250,
          tags: ['metal'],
          locations: [{ warehouse: 'BER', bin: 'A-01' }],
        },
        expect.objectContaining({ sku: '01234', name: 'Widget & Co', tags: ['red', 'small'] }),
      ],
    });
  });

  test('pages', async () => {
    const first = await run('actions.list_items.execute', { input: {} });
    expect(first).toMatchObject({ count: 3, more: true });
    expect(first.items.map((i: { sku: string }) => i.sku)).toEqual(['00017', '01234']);
    const second = await run('actions.list_items.execute', { input: { page: 2 } });
    expect(second.items.map((i: { sku: string }) => i.sku)).toEqual(['20000']);
    expect(second.more).toBe(false);
  });
});

describe('weft exec', () => {
  test('get_item prints the item with its SKU as a string', async () => {
    const input = join(dir, 'get.json');
    await writeFile(input, JSON.stringify({ sku: '01234' }));
    const result = await weft('actions.get_item.execute', `--input=${input}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sku: '01234', quantity: 42, tags: ['red', 'small'] });
  });

  test('--verbose shows the XML exchange with the token redacted from URLs', async () => {
    const input = join(dir, 'create.json');
    await writeFile(input, JSON.stringify({ sku: '777', name: 'Verbose', tags: ['a'] }));
    const result = await weft('actions.create_item.execute', `--input=${input}`, '--verbose');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sku: '777', name: 'Verbose', tags: ['a'] });
    expect(result.stderr).toMatch(/POST .*\/v1\/items/);
    expect(result.stderr).toContain('inv:Item');
    expect(result.stderr).toContain('[REDACTED]');
    expect(result.stderr).not.toContain(TOKEN);
  });
});
