import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { isWeftError } from '../errors.js';
import { execute } from './executor.js';
import { listPaths, parseExecPath } from './paths.js';

let base = '';
const seen: { url: string; headers: Record<string, unknown> }[] = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url ?? '', headers: req.headers });
  res.setHeader('content-type', 'application/json');
  if (req.url?.startsWith('/api/fields')) return res.end(JSON.stringify([{ name: 'dynamic_one' }]));
  res.end(JSON.stringify({ url: req.url, ok: true }));
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => server.close());

const connector = defineConnector({
  title: 'Executor test',
  connection: {
    fields: [{ name: 'base' }, { name: 'token', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      acquire: () => ({ session: 'sess-0123456789' }),
      apply: (ctx) => ctx.headers({ authorization: `Token ${ctx.connection.token}` }),
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  identity: async (ctx) => (await ctx.get('me')).url,
  objectDefinitions: {
    contact: { fields: async (ctx) => [{ name: 'id', type: 'integer' }, ...(await ctx.objectDefinitions.address)] },
    address: { fields: () => [{ name: 'city' }] },
    remote: { fields: async (ctx) => ctx.get('fields') },
    loop_a: { fields: (ctx) => ctx.objectDefinitions.loop_b },
    loop_b: { fields: (ctx) => ctx.objectDefinitions.loop_a },
  },
  actions: {
    echo: {
      configFields: [{ name: 'kind', controlType: 'select', pickList: [['A', 'a']] }],
      inputFields: (ctx) => [
        { name: ctx.configFields.kind === 'a' ? 'alpha' : 'other' },
        { name: 'when', type: 'date', optional: true },
      ],
      execute: (ctx) => ({ input: ctx.input, config: ctx.configFields }),
    },
    shout: {
      inputFields: [{ name: 'word' }],
      execute: (ctx) => ({ word: ctx.input.word, at: ctx.now().toISOString() }),
      outputFields: [{ name: 'word', convertOutput: 'upper' }],
    },
    remote_get: { execute: (ctx) => ctx.get('things', { q: 1 }) },
    secret_echo: { execute: (ctx) => ({ told: `my token is ${ctx.connection.token}` }) },
    read_stream: {
      execute: async (ctx) => {
        let total = 0;
        for await (const chunk of ctx.streams.read('numbers', { chunkSize: 4 })) total += chunk.length;
        return { total };
      },
    },
  },
  triggers: {
    hook: {
      webhookNotification: (ctx) => [{ got: ctx.payload.n, sig: ctx.headers['x-sig'] }],
      dedup: (e) => `id-${e.id}`,
    },
  },
  methods: {
    upper: (_ctx, value: string) => value.toUpperCase(),
  },
  streams: {
    numbers: (_ctx, from, to) => {
      const all = '0123456789';
      return { data: all.slice(from, to + 1), eof: to + 1 >= all.length };
    },
  },
});

const connection = () => ({ base, token: 'tok-secret-42' });

describe('execute', () => {
  test('config fields are processed first and shape the input fields', async () => {
    const result = await execute(connector, 'actions.echo.execute', {
      connection: connection(),
      input: { kind: 'a', alpha: 'x', other: 'dropped', when: '2026-11-28T10:00:00Z' },
    });
    expect(result).toEqual({
      kind: 'output',
      output: { input: { kind: 'a', alpha: 'x', when: '2026-11-28' }, config: { kind: 'a' } },
      dropped: ['input.other'],
    });
  });

  test('convertOutput runs a method on the output', async () => {
    const now = () => new Date('2026-01-02T03:04:05Z');
    const result = await execute(connector, 'actions.shout.execute', {
      connection: connection(),
      input: { word: 'hi' },
      now,
    });
    expect(result).toMatchObject({ output: { word: 'HI', at: '2026-01-02T03:04:05.000Z' } });
  });

  test('relative URLs resolve against baseUri and apply runs on each request', async () => {
    const result = await execute(connector, 'actions.remote_get.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { url: '/api/things?q=1', ok: true } });
    expect(seen.at(-1)?.headers.authorization).toBe('Token tok-secret-42');
  });

  test("an action's output is data: redaction never rewrites it", async () => {
    const result = await execute(connector, 'actions.secret_echo.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { told: 'my token is tok-secret-42' } });
  });

  test('object definitions compose, may call the API, and cycles are an error', async () => {
    const contact = await execute(connector, 'object_definitions.contact.fields', { connection: connection() });
    expect(contact).toMatchObject({ output: [{ name: 'id', type: 'integer' }, { name: 'city' }] });
    const remote = await execute(connector, 'object_definitions.remote.fields', { connection: connection() });
    expect(remote).toMatchObject({ output: [{ name: 'dynamic_one' }] });
    const cycle = await execute(connector, 'object_definitions.loop_a.fields', { connection: connection() }).catch(
      (e) => e,
    );
    expect(isWeftError(cycle) && cycle.code).toBe('OBJECT_DEFINITION_CYCLE');
  });

  test('streams are read chunk by chunk', async () => {
    const result = await execute(connector, 'actions.read_stream.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { total: 10 } });
    const stream = await execute(connector, 'streams.numbers', { connection: connection() });
    if (stream.kind !== 'stream') throw new Error('expected a stream');
    const chunks: string[] = [];
    for await (const chunk of stream.stream) chunks.push(Buffer.from(chunk).toString());
    expect(chunks.join('')).toBe('0123456789');
  });

  test('webhook notifications see payload and lower-cased headers', async () => {
    const result = await execute(connector, 'triggers.hook.webhook_notification', {
      webhook: { payload: { n: 5 }, headers: { 'X-Sig': 'abc' } },
    });
    expect(result).toMatchObject({ output: [{ got: 5, sig: 'abc' }] });
    const dedup = await execute(connector, 'triggers.hook.dedup', { input: [{ id: 1 }, { id: 2 }] });
    expect(dedup).toMatchObject({ output: ['id-1', 'id-2'] });
  });

  test('identity names the account behind the connection', async () => {
    const result = await execute(connector, 'identity', { connection: connection() });
    expect(result).toMatchObject({ output: '/api/me' });
    const none = await execute(defineConnector({ title: 'x' }), 'identity').catch((e) => e);
    expect(none.message).toMatch(/defines no `identity`/);
  });

  test('acquire merges its values into the connection and they become secrets', async () => {
    const conn = connection() as Record<string, unknown>;
    const result = await execute(connector, 'connection.authorization.acquire', { connection: conn });
    expect(conn.session).toBe('sess-0123456789');
    expect(result).toMatchObject({ output: { session: '[REDACTED]' } });
  });
});

describe('exec paths', () => {
  test('names may contain dots; camelCase operations are accepted', () => {
    expect(parseExecPath('actions.v2.create.execute')).toEqual({
      kind: 'action',
      name: 'v2.create',
      operation: 'execute',
    });
    expect(parseExecPath('actions.x.inputFields')).toEqual({ kind: 'action', name: 'x', operation: 'input_fields' });
    expect(parseExecPath('pickLists.a.b')).toEqual({ kind: 'pick_list', name: 'a.b' });
    expect(parseExecPath('object_definitions.contact.fields')).toEqual({ kind: 'object_definition', name: 'contact' });
  });

  test('unknown paths list the valid ones', () => {
    const error = (() => {
      try {
        parseExecPath('actions.echo.run', connector);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/Unknown exec path "actions\.echo\.run"/);
    expect(error?.message).toContain('actions.echo.execute');
    expect(listPaths(connector)).toContain('streams.numbers');
  });
});
