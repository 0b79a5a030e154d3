import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadConnectorFile } from '../load/load.js';
import { CassetteError, cassettePath, checkConnector, loadConnector, readCassette } from './index.js';

const SHOP = fileURLToPath(new URL('./__fixtures__/shop/connector.ts', import.meta.url));
const BAD = fileURLToPath(new URL('./__fixtures__/bad/connector.ts', import.meta.url));

const USERNAME = 'shopkeeper';
const PASSWORD = 'hunter2-very-secret-pw';
const API_KEY = 'sk-live-4f9a1c7e2b';
const SESSION = 'sess-7d0c55aa91e3';

/** The shop API: POST session logs in; every other route needs the session header and the key parameter. */
function shopApi() {
  let tickets = 0;
  const seen: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    const send = (status: number, value: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'set-cookie': `sid=${SESSION}; HttpOnly`,
        'x-request-signature': 'sig-0a1b2c3d4e5f',
      });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && url.pathname === '/session') {
      const creds = JSON.parse(body.toString());
      if (creds.username !== USERNAME || creds.password !== PASSWORD) return send(403, { error: 'bad login' });
      return send(200, { session_id: SESSION });
    }
    if (req.headers['x-session-id'] !== SESSION) return send(401, { error: 'log in first' });
    if (url.searchParams.get('api_key') !== API_KEY) return send(403, { error: 'bad key' });
    if (url.pathname === '/me') return send(200, { user: USERNAME, key: API_KEY, session: SESSION });
    if (req.method === 'POST' && url.pathname === '/orders') {
      const order = JSON.parse(body.toString());
      return send(201, { id: 42, ...order });
    }
    if (req.method === 'POST' && url.pathname === '/tickets') return send(200, { ticket: ++tickets });
    if (url.pathname === '/orders') {
      const page = Number(url.searchParams.get('page'));
      const pages: Record<number, unknown> = {
        1: {
          orders: [
            { id: 1, sku: 'a' },
            { id: 2, sku: 'b' },
          ],
          next_page: 2,
        },
        2: { orders: [{ id: 3, sku: 'c' }], next_page: 3 },
        3: { orders: [{ id: 4, sku: 'd' }], next_page: null },
      };
      return send(200, pages[page]);
    }
    if (url.pathname === '/blobs') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), body]));
    }
    if (url.pathname === '/tagged') return send(200, { tag: req.headers['x-tag'] });
    send(404, { error: 'no route' });
  };
  return { handler, seen };
}

let server: Server | undefined;
let baseUrl = '';
let seen: string[] = [];
let dir: string;

async function startApi() {
  const api = shopApi();
  seen = api.seen;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => api.handler(req, res, Buffer.concat(chunks)));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stopApi() {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-cassettes-'));
  await startApi();
});
afterEach(stopApi);

const settings = () => ({ base_url: baseUrl, username: USERNAME, password: PASSWORD, api_key: API_KEY });

/** Records with the API running, then stops it: what follows can only come from the cassette. */
async function recordThenStop(
  cassette: string,
  work: (shop: Awaited<ReturnType<typeof loadConnector>>) => Promise<unknown>,
) {
  const recorder = await loadConnector(SHOP, { settings: settings(), cassette, record: true });
  const recorded = await work(recorder);
  await recorder.close();
  await stopApi();
  return recorded;
}

describe('record and replay', () => {
  test('recorded against a local server, the test replays green with the server stopped', async () => {
    const cassette = join(dir, 'orders.json');
    const recorded = await recordThenStop(cassette, (shop) =>
      shop.actions.create_order.execute({ input: { sku: 'x-1', quantity: '3' } }),
    );
    expect(seen).toEqual(['POST /orders', 'POST /session', 'POST /orders']); // 401, login, again
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    const replayed = await replayer.actions.create_order.execute({ input: { sku: 'x-1', quantity: '3' } });
    expect(replayed).toEqual(recorded);
    expect(replayed).toMatchObject({ id: 42, sku: 'x-1', quantity: 3 });
    expect(replayer.cassette).toMatchObject({ mode: 'replay', unused: 0 });
    const file = await readCassette(cassette);
    expect(file?.interactions).toHaveLength(3);
    expect(file?.outputs).toEqual([{ path: 'actions.create_order.execute', output: recorded }]);
  });

  test('ctx.now() is frozen at the recording time and replay returns the same time', async () => {
    const cassette = join(dir, 'now.json');
    const recorded = (await recordThenStop(cassette, (shop) =>
      shop.actions.create_order.execute({ input: { sku: 'a', quantity: 1 } }),
    )) as { at: string };
    const file = await readCassette(cassette);
    expect(recorded.at).toBe(file?.now);
    await new Promise((r) => setTimeout(r, 20));
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    expect(await replayer.actions.create_order.execute({ input: { sku: 'a', quantity: 1 } })).toMatchObject({
      at: recorded.at,
    });
  });

  test('loadConnector({ now }) sets ctx.now() (and a changed time is a changed request)', async () => {
    const cassette = join(dir, 'fixed-now.json');
    const now = '2026-01-02T03:04:05.000Z';
    await recordThenStop(cassette, async () => {
      const again = await loadConnector(SHOP, { settings: settings(), cassette, record: true, now });
      return again.actions.create_order.execute({ input: { sku: 'a', quantity: 1 } });
    });
    const replayer = await loadConnector(SHOP, { cassette, record: false, now: new Date(now) });
    expect(await replayer.actions.create_order.execute({ input: { sku: 'a', quantity: 1 } })).toMatchObject({
      at: now,
    });
  });

  test('a changed request body fails with the request, the nearest recording and a line diff', async () => {
    const cassette = join(dir, 'diff.json');
    await recordThenStop(cassette, (shop) => shop.actions.create_order.execute({ input: { sku: 'x-1', quantity: 3 } }));
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    const error = await replayer.actions.create_order.execute({ input: { sku: 'x-2', quantity: 3 } }).catch((e) => e);
    expect(error).toBeInstanceOf(CassetteError);
    expect(error.code).toBe('CASSETTE_MISMATCH');
    expect(error.message).toContain(`Cassette ${cassette}: no recorded request matches`);
    expect(error.message).toMatch(/request:\n\s+POST http:\/\/127\.0\.0\.1:\d+\/orders\?api_key=<<SECRET:api_key>>/);
    expect(error.message).toMatch(/nearest recording \(#\d of 3/);
    expect(error.message).toMatch(/^\s+- +"sku": "x-1",?$/m);
    expect(error.message).toMatch(/^\s+\+ +"sku": "x-2",?$/m);
    expect(error.message).toContain('WEFT_RECORD=1');
    expect(error.message).not.toContain(API_KEY);
  });

  test('a cassette that does not exist fails clearly in replay mode', async () => {
    const cassette = join(dir, 'never-recorded.json');
    const shop = await loadConnector(SHOP, { cassette, record: false, settings: settings() });
    await expect(shop.test()).rejects.toThrow(`no cassette at ${cassette}: record it with WEFT_RECORD=1`);
  });

  test('record "new" records a missing cassette and replays an existing one', async () => {
    const cassette = join(dir, 'new.json');
    const first = await loadConnector(SHOP, { settings: settings(), cassette, record: 'new' });
    expect(await first.test()).toMatchObject({ user: USERNAME });
    expect(first.cassette?.mode).toBe('record');
    await stopApi();
    const second = await loadConnector(SHOP, { settings: settings(), cassette, record: 'new' });
    expect(await second.test()).toMatchObject({ user: USERNAME });
    expect(second.cassette?.mode).toBe('replay');
  });
});

describe('secrets', () => {
  test('the cassette holds none of the secrets used while recording, and replay restores them', async () => {
    const cassette = join(dir, 'secrets.json');
    const recorded = await recordThenStop(cassette, (shop) => shop.test());
    // What an operation returns is data, never redacted; the cassette is a diagnostic, filtered.
    expect(recorded).toEqual({ user: USERNAME, key: API_KEY, session: SESSION });
    const text = await readFile(cassette, 'utf8');
    for (const secret of [PASSWORD, API_KEY, SESSION, encodeURIComponent(API_KEY)]) expect(text).not.toContain(secret);
    expect(text).toContain('<<SECRET:password>>');
    expect(text).toContain('api_key=<<SECRET:api_key>>');
    expect(text).toContain('<<SECRET:session_id>>');
    const file = await readCassette(cassette);
    expect(file?.connection).toEqual({
      api_key: '<<SECRET:api_key>>',
      base_url: baseUrl,
      password: '<<SECRET:password>>',
      username: USERNAME,
    });
    // Replay with other credentials (as CI would have): requests match, responses carry them.
    const replayer = await loadConnector(SHOP, {
      cassette,
      record: false,
      settings: { api_key: 'sk-test-0000', password: 'ci-password' },
    });
    expect(await replayer.exec('test')).toEqual({ user: USERNAME, key: 'sk-test-0000', session: expect.any(String) });
    expect(replayer.connection).toMatchObject({ base_url: baseUrl, api_key: 'sk-test-0000' });
    expect(replayer.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      expect.stringMatching(/^GET .*\/me\?api_key=<<SECRET:api_key>>$/),
      expect.stringMatching(/^POST .*\/session$/), // acquire runs without apply
      expect.stringMatching(/^GET .*\/me\?api_key=<<SECRET:api_key>>$/),
    ]);
  });

  test('auth headers are replaced even when their values are not known secrets', async () => {
    const cassette = join(dir, 'headers.json');
    await recordThenStop(cassette, (shop) => shop.actions.whoami.execute());
    const file = await readCassette(cassette);
    const responseHeaders = file!.interactions.at(-1)!.response.headers;
    expect(responseHeaders['set-cookie']).toBe('sid=<<SECRET:session_id>>; HttpOnly');
    expect(responseHeaders['x-request-signature']).toBe('<<SECRET:header:x-request-signature>>');
    expect(await readFile(cassette, 'utf8')).not.toContain('sig-0a1b2c3d4e5f');
    expect(file!.interactions.at(-1)!.request.headers['x-session-id']).toBe('<<SECRET:session_id>>');
  });
});

describe('live HTTP (cassette: false)', () => {
  test('requests lists what was sent in this test, bodies parsed and secrets redacted', async () => {
    const shop = await loadConnector(SHOP, { settings: settings(), cassette: false });
    const order = await shop.actions.create_order.execute({ input: { sku: 'x-9', quantity: '2' } });
    expect(order).toMatchObject({ id: 42, sku: 'x-9', quantity: 2 });
    expect(shop.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'POST /orders', // 401: no session yet
      'POST /session',
      'POST /orders',
    ]);
    expect(shop.requests[2].body).toMatchObject({ sku: 'x-9', quantity: 2 });
    expect(shop.requests[1].body).toEqual({ username: USERNAME, password: '[REDACTED]' });
    expect(JSON.stringify(shop.requests)).not.toContain(API_KEY);
  });
});

describe('ordering, pages, bytes, matching', () => {
  test('a paginated trigger replays every page', async () => {
    const cassette = join(dir, 'pages.json');
    const recorded = await recordThenStop(cassette, (shop) => shop.triggers.new_orders.pollAll());
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    const replayed = await replayer.triggers.new_orders.pollAll();
    expect(replayed).toEqual(recorded);
    expect(replayed.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4]);
    expect(replayed).toMatchObject({ polls: 3, canPollMore: false, nextPoll: { page: 3 } });
  });

  test('repeated identical requests replay in order, and one more is an "already used" mismatch', async () => {
    const cassette = join(dir, 'repeat.json');
    const recorded = await recordThenStop(cassette, async (shop) => [
      await shop.actions.next_ticket.execute(),
      await shop.actions.next_ticket.execute(),
    ]);
    expect(recorded).toEqual([{ ticket: 1 }, { ticket: 2 }]);
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    expect(await replayer.actions.next_ticket.execute()).toEqual({ ticket: 1 });
    expect(await replayer.actions.next_ticket.execute()).toEqual({ ticket: 2 });
    await expect(replayer.actions.next_ticket.execute()).rejects.toThrow(
      /already used: the connector sent it more often/,
    );
  });

  test('binary request and response bodies round-trip through base64', async () => {
    const cassette = join(dir, 'bytes.json');
    const recorded = await recordThenStop(cassette, (shop) =>
      shop.actions.upload.execute({ input: { hex: '00010280ff' } }),
    );
    expect(recorded).toEqual({ hex: 'ff00fe00010280ff' });
    const interaction = (await readCassette(cassette))!.interactions.at(-1)!;
    expect(interaction.request).toMatchObject({
      bodyEncoding: 'base64',
      body: Buffer.from('00010280ff', 'hex').toString('base64'),
    });
    expect(interaction.response).toMatchObject({ bodyEncoding: 'base64' });
    const replayer = await loadConnector(SHOP, { cassette, record: false });
    expect(await replayer.actions.upload.execute({ input: { hex: '00010280ff' } })).toEqual(recorded);
    await expect(replayer.actions.upload.execute({ input: { hex: '00010280fe' } })).rejects.toThrow(/body/);
  });

  test('matching on a header is opt-in', async () => {
    const cassette = join(dir, 'tagged.json');
    await recordThenStop(cassette, (shop) => shop.actions.tagged.execute({ input: { tag: 'blue' } }));
    const loose = await loadConnector(SHOP, { cassette, record: false });
    expect(await loose.actions.tagged.execute({ input: { tag: 'red' } })).toEqual({ tag: 'blue' });
    const strict = await loadConnector(SHOP, { cassette, record: false, match: ['method', 'url', 'headers:x-tag'] });
    await expect(strict.actions.tagged.execute({ input: { tag: 'red' } })).rejects.toThrow(
      /x-tag:\n\s+- blue\n\s+\+ red/,
    );
  });

  test('cassettes default to __cassettes__/<test file>/<test name>.json beside the test', () => {
    expect(cassettePath(true)).toBe(
      join(
        fileURLToPath(new URL('.', import.meta.url)),
        '__cassettes__',
        'testing.test.ts',
        'ordering-pages-bytes-matching--cassettes-default-to-__cassettes__-test-file-test-name-.json-beside-the-test.json',
      ),
    );
  });
});

describe('operations mirror the exec paths', () => {
  test('a multistep action suspends with { reinvokeAfter } and runs its next step with continue', async () => {
    const shop = await loadConnector(SHOP, { settings: settings() });
    const first = await shop.actions.export_report.execute();
    expect(first).toEqual({ reinvokeAfter: { seconds: 60, continue: { step: 2 } } });
    expect(await shop.actions.export_report.execute({ continue: first.reinvokeAfter.continue })).toEqual({
      done: true,
      step: 2,
    });
  });

  test('webhookNotification receives payload and headers; dedup gives signatures', async () => {
    const shop = await loadConnector(SHOP, { settings: settings() });
    const event = await shop.triggers.order_webhook.webhookNotification({
      payload: { id: 9 },
      headers: { 'X-Signature': 'abc' },
    });
    expect(event).toEqual({ id: 9, signature: 'abc' });
    expect(await shop.triggers.order_webhook.dedup([event])).toEqual(['9']);
  });

  test('webhookNotification receives the subscription (where a per-webhook signing secret lives)', async () => {
    const shop = await loadConnector(SHOP, { settings: settings() });
    const event = await shop.triggers.order_webhook.webhookNotification({
      payload: { id: 9 },
      headers: { 'X-Signature': 'abc' },
      subscription: { id: 'wh-1', secret: 's3cret' },
    });
    expect(event).toEqual({ id: 9, signature: 'abc', hook: 'wh-1' });
  });

  test('an unknown operation name lists the known ones; failures throw the WeftError', async () => {
    const shop = await loadConnector(SHOP, { settings: settings() });
    expect(() => shop.actions.nope).toThrow(/Unknown action "nope". Known: create_order, next_ticket/);
    await expect(shop.actions.create_order.execute({ input: { sku: 'a' } })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
  });
});

describe('checkConnector', () => {
  test('reports every problem at once, each with its path', async () => {
    const { definition } = await loadConnectorFile(BAD);
    const cassettes = join(dir, '__cassettes__');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(cassettes, 'x.test.ts'), { recursive: true }));
    await writeFile(
      join(cassettes, 'x.test.ts', 'recorded.json'),
      JSON.stringify({
        version: 1,
        recordedAt: '2026-01-01T00:00:00.000Z',
        now: '2026-01-01T00:00:00.000Z',
        connection: {},
        interactions: [],
        outputs: [{ path: 'actions.recorded.execute', output: { id: 'seven' } }],
      }),
    );
    const problems = await checkConnector(definition, { cassettesDir: cassettes });
    const lines = problems.map((p) => `${p.level} ${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error actions\.wrong_sample\.sampleOutput\.id: /),
        expect.stringMatching(/^error actions\.wrong_sample\.sampleOutput\.tags: /),
        'skipped actions.dynamic.inputFields: needs a connection; skipped',
        expect.stringMatching(/^warning triggers\.no_dedup\.dedup: not defined/),
        expect.stringMatching(/^error pickLists\.flat(\[0\])?: .*\[label, value\]/),
        expect.stringMatching(/^error x\.test\.ts\/recorded\.json: actions\.recorded\.execute outputs\[0\]\.id: /),
      ]),
    );
    expect(lines.some((l) => l.includes('pickLists.good'))).toBe(false);
  });
});
