/**
 * The http built-in against a real server on 127.0.0.1: each body kind, each authentication
 * type (OAuth 2.0 client credentials against a local token endpoint), response parsing, and
 * the "new item" trigger's first poll and dedup. One test runs it through `weft exec`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { closeHttp, execute, loadConnectorFile, MemorySeenStore, runPoll } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, startServer, type TestServer, writeIn } from '../../../cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const CLIENT_SECRET = 'cc-secret-8f2a61';
const ACCESS_TOKEN = 'at-local-5b7e90';

let server: TestServer;
let connector: ConnectorDefinition;
let items: { id: number; title: string }[] = [];
let tokenRequests = 0;
/** How each accepted token request authenticated its client. */
const clientAuth: string[] = [];

beforeAll(async () => {
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/oauth/token') {
      tokenRequests++;
      const basic = `Basic ${Buffer.from(`weft-client:${CLIENT_SECRET}`).toString('base64')}`;
      const form = new URLSearchParams(body);
      const method = req.headers.authorization
        ? req.headers.authorization === basic && 'basic'
        : form.get('client_id') === 'weft-client' && form.get('client_secret') === CLIENT_SECRET && 'post';
      if (!method || form.get('grant_type') !== 'client_credentials')
        return json(res, 401, { error: 'invalid_client' });
      clientAuth.push(method);
      return json(res, 200, { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 });
    }
    if (url.pathname === '/list') return json(res, 200, { data: { items } });
    if (url.pathname === '/array') return json(res, 200, items);
    if (url.pathname === '/xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end('<order id="7"><line>a</line><line>b</line></order>');
    }
    if (url.pathname === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain words');
    }
    if (url.pathname === '/bytes') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]));
    }
    if (url.pathname === '/secure' && req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      return json(res, 401, { error: 'invalid_token' });
    }
    if (url.pathname === '/missing') return json(res, 404, { message: 'no such thing' });
    // Everything else echoes what it received.
    json(res, 200, {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
  });
});

afterAll(async () => {
  await server.close();
  await closeHttp();
});

async function request(input: Record<string, unknown>, connection: Record<string, unknown> = { auth_type: 'none' }) {
  const result = await execute(connector, 'actions.request.execute', { input, connection: { ...connection } });
  if (result.kind !== 'output') throw new Error(`expected an output, got ${result.kind}`);
  return result.output as Record<string, any>;
}

const echo = (output: Record<string, any>) => output.body as Record<string, any>;

describe('the http built-in: requests', () => {
  test('GET with query and headers; the JSON answer is parsed with status and headers', async () => {
    const out = await request({
      url: `${server.url}/things`,
      query: { q: 'ada', page: 2 },
      headers: { 'X-Trace': 't1' },
    });
    expect(out.status).toBe(200);
    expect(out.content_type).toContain('application/json');
    expect(out.headers['content-type']).toContain('application/json');
    expect(echo(out)).toMatchObject({ method: 'GET', query: { q: 'ada', page: '2' }, headers: { 'x-trace': 't1' } });
  });

  test('a path under the base URL; a relative URL without one is a clear error', async () => {
    const out = await request({ url: 'v1/things' }, { auth_type: 'none', base_url: `${server.url}/api/` });
    expect(echo(out).path).toBe('/api/v1/things');
    await expect(request({ url: 'v1/things' })).rejects.toThrow(/relative and the connection has no base URL/);
  });

  test('each body kind: JSON, form, multipart (with a file), XML, raw text and raw bytes', async () => {
    const post = (extra: Record<string, unknown>) => request({ method: 'POST', url: `${server.url}/echo`, ...extra });
    const asJson = echo(await post({ body_type: 'json', body: { name: 'Ada', tags: ['x'] } }));
    expect(asJson.headers['content-type']).toContain('application/json');
    expect(JSON.parse(asJson.body)).toEqual({ name: 'Ada', tags: ['x'] });

    const form = echo(await post({ body_type: 'form', body: { name: 'Ada Lovelace', n: 1 } }));
    expect(form.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(form.body).toBe('name=Ada+Lovelace&n=1');

    const files = [{ field: 'doc', file_name: 'a.txt', content_type: 'text/plain', content_base64: btoa('hello') }];
    const multipart = echo(await post({ body_type: 'multipart', body: { note: 'hi' }, files }));
    expect(multipart.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipart.body).toContain('name="note"');
    expect(multipart.body).toMatch(/name="doc"; filename="a.txt"\r\ncontent-type: text\/plain\r\n\r\nhello/i);

    const xml = echo(await post({ body_type: 'xml', xml_root: 'order', body: { '@id': '7', line: ['a', 'b'] } }));
    expect(xml.headers['content-type']).toContain('xml');
    expect(xml.body).toContain('<order id="7"><line>a</line><line>b</line></order>');

    const list = echo(await post({ body_type: 'json', body: [{ id: 1 }, { id: 2 }] }));
    expect(JSON.parse(list.body)).toEqual([{ id: 1 }, { id: 2 }]);

    const vendor = echo(await post({ body_type: 'json', body: { a: 1 }, content_type: 'application/vnd.api+json' }));
    expect(vendor.headers['content-type']).toBe('application/vnd.api+json');

    const raw = echo(await post({ body_type: 'raw', raw_body: 'a,b\n1,2', content_type: 'text/csv' }));
    expect(raw.headers['content-type']).toBe('text/csv');
    expect(raw.body).toBe('a,b\n1,2');

    const bytes = echo(await post({ body_type: 'raw', raw_body: btoa('bin'), raw_encoding: 'base64' }));
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
    expect(bytes.body).toBe('bin');

    // GET sends no body whatever body_type says.
    const get = echo(await request({ url: `${server.url}/echo`, body_type: 'json', body: { x: 1 } }));
    expect(get.body).toBe('');
  });

  test('responses by content type: XML parsed, text as text, binary as Base64; or as asked', async () => {
    const xml = await request({ url: `${server.url}/xml` });
    expect(xml.body).toEqual({ order: [{ '@id': '7', line: [{ '#text': 'a' }, { '#text': 'b' }] }] });
    expect((await request({ url: `${server.url}/text` })).body_text).toBe('plain words');
    const png = await request({ url: `${server.url}/bytes` });
    expect(png).toMatchObject({
      content_type: 'image/png',
      body_base64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]).toString('base64'),
    });
    expect((await request({ url: `${server.url}/xml`, response_type: 'text' })).body_text).toContain('<order');
    items = [{ id: 5, title: 'listed' }];
    expect((await request({ url: `${server.url}/array` })).body).toEqual(items);
  });

  test('an HTTP error fails the step, or with "fail on HTTP errors" off is returned as output', async () => {
    await expect(request({ url: `${server.url}/missing` })).rejects.toThrow(/HTTP 404: no such thing/);
    const out = await request({ url: `${server.url}/missing`, fail_on_error: false });
    expect(out).toMatchObject({ status: 404, body: { message: 'no such thing' } });
  });
});

describe('the http built-in: authentication', () => {
  const sent = async (connection: Record<string, unknown>, path = 'echo') =>
    echo(await request({ url: `${server.url}/${path}` }, connection));

  test('none, basic, API key in a header or a query parameter, bearer', async () => {
    expect((await sent({ auth_type: 'none' })).headers.authorization).toBeUndefined();
    const basic = await sent({ auth_type: 'basic', username: 'ann', password: 'pw-1' });
    expect(basic.headers.authorization).toBe(`Basic ${btoa('ann:pw-1')}`);
    const header = await sent({ auth_type: 'api_key', api_key_name: 'X-Key', api_key: 'k-123' });
    expect(header.headers['x-key']).toBe('k-123');
    const defaults = await sent({ auth_type: 'api_key', api_key: 'k-123' });
    expect(defaults.headers['x-api-key']).toBe('k-123');
    const query = await sent({ auth_type: 'api_key', api_key_in: 'query', api_key_name: 'key', api_key: 'k-9' });
    expect(query.query).toEqual({ key: 'k-9' });
    expect((await sent({ auth_type: 'bearer', token: 'tok-1' })).headers.authorization).toBe('Bearer tok-1');
  });

  // The client authenticates with a Basic header by default, or with its secret in the body.
  test.each([
    ['client_secret_basic', undefined, 'basic'],
    ['client_secret_post', 'post', 'post'],
  ])(
    'OAuth 2.0 client credentials (%s): a 401 fetches a token from the token endpoint and the request goes again',
    async (_, clientAuthField, used) => {
      const connection = {
        auth_type: 'oauth2_client_credentials',
        token_url: `${server.url}/oauth/token`,
        client_id: 'weft-client',
        client_secret: CLIENT_SECRET,
        scope: 'read',
        ...(clientAuthField ? { client_auth: clientAuthField } : {}),
      };
      const before = tokenRequests;
      const out = await sent(connection, 'secure');
      expect(tokenRequests).toBe(before + 1);
      expect(clientAuth.at(-1)).toBe(used);
      expect(out.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      const acquired = await execute(connector, 'connection.authorization.acquire', { connection: { ...connection } });
      expect(acquired).toMatchObject({ output: { access_token: '[REDACTED]', token_type: 'Bearer' } });
      const wrong = await sent({ ...connection, client_secret: 'nope' }, 'secure').catch((e) => e);
      expect(wrong.message).toMatch(/invalid_client/);
      expect(wrong.message).not.toContain('nope');
    },
  );

  test('OAuth 2.0 authorization code: without a browser sign-in the step asks for one', async () => {
    const error = await sent(
      {
        auth_type: 'oauth2_authorization_code',
        authorization_url: `${server.url}/oauth/authorize`,
        token_url: `${server.url}/oauth/token`,
        client_id: 'weft-client',
      },
      'secure',
    ).catch((e) => e);
    expect(error.code).toBe('REAUTHORIZE');
    const signedIn = await sent({
      auth_type: 'oauth2_authorization_code',
      authorization_url: `${server.url}/oauth/authorize`,
      token_url: `${server.url}/oauth/token`,
      client_id: 'weft-client',
      access_token: 'from-browser',
    });
    expect(signedIn.headers.authorization).toBe('Bearer from-browser');
  });

  test("credentials never go to another origin than the connection's base URL", async () => {
    const connection = { auth_type: 'bearer', token: 'tok-1', base_url: 'https://api.example.test/' };
    await expect(request({ url: `${server.url}/echo` }, connection)).rejects.toThrow(
      /not on the connection's base URL/,
    );
  });
});

describe('the http built-in: the "new item" trigger', () => {
  const poll = (store: MemorySeenStore, closure: unknown, input: Record<string, unknown> = {}) =>
    runPoll({
      connector,
      trigger: 'new_item',
      input: { url: `${server.url}/list`, items_path: 'data.items', ...input },
      closure,
      connection: { auth_type: 'none' },
      store,
      recipeKey: 'r1',
    });

  test('by default the first poll notes the items already there; later polls fire once per new item', async () => {
    items = [
      { id: 1, title: 'old' },
      { id: 2, title: 'older' },
    ];
    const store = new MemorySeenStore();
    const first = await poll(store, undefined);
    expect(first.events).toEqual([]);
    items = [{ id: 3, title: 'new' }, ...items];
    const second = await poll(store, first.nextClosure);
    expect(second.events).toEqual([{ key: '3', item: { id: 3, title: 'new' } }]);
    const third = await poll(store, second.nextClosure);
    expect(third.events).toEqual([]);
    expect(third.duplicates).toBe(1);
  });

  test('"every item" fires for what is there at the start; the unique field may be nested', async () => {
    items = [{ id: 1, title: 'a' }];
    const store = new MemorySeenStore();
    const first = await poll(store, undefined, { first_poll: 'all', dedup_field: 'title' });
    expect(first.events).toEqual([{ key: 'a', item: { id: 1, title: 'a' } }]);
    expect((await poll(store, first.nextClosure, { first_poll: 'all', dedup_field: 'title' })).events).toEqual([]);
  });

  test('a response without a list at the path is an error naming the path', async () => {
    await expect(poll(new MemorySeenStore(), undefined, { items_path: 'data.rows' })).rejects.toThrow(
      /no list at "data.rows"/,
    );
  });
});

describe('the http built-in through weft exec', () => {
  test('weft exec actions.request.execute with a settings file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-http-'));
    const settings = await writeIn(
      dir,
      'settings.yaml',
      `auth_type: bearer\nbase_url: ${server.url}/\ntoken: tok-exec\n`,
    );
    const input = await writeIn(dir, 'input.json', { method: 'POST', url: 'hooks', body_type: 'json', body: { a: 1 } });
    const run = await execWeft(CONNECTOR, settings, 'actions.request.execute', `--input=${input}`);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ status: 200, body: { method: 'POST', path: '/hooks', body: '{"a":1}' } });
    expect(out.body.headers.authorization).toBe('Bearer tok-exec');
  });
});
