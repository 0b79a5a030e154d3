import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { isWeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { listPaths, pathToOperation } from '../execute/paths.js';
import { OPERATION_KIND_NAMES, OPERATION_KINDS } from '../model/operations.js';
import { runOperation } from './run.js';

const connector = defineConnector({
  title: 'Operations test',
  connection: {
    fields: [{ name: 'token', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      acquire: () => ({ session: 'sess-0123456789' }),
      apply: (ctx) => ctx.headers({ authorization: `Token ${ctx.connection.token}` }),
    },
  },
  test: () => ({ ok: true }),
  identity: () => 'someone@example.com',
  objectDefinitions: { contact: { fields: () => [{ name: 'id', type: 'integer' }] } },
  pickLists: { colors: (_ctx, args) => [[`Red ${args.shade ?? ''}`.trim(), 'red']] },
  methods: { double: (_ctx, n: number) => n * 2, upper: (_ctx, s: string) => s.toUpperCase() },
  streams: { bytes: (_ctx, from) => ({ data: from === 0 ? 'abc' : '', eof: true }) },
  webhookKeys: (ctx) => ctx.headers['x-key'],
  actions: {
    echo: {
      configFields: [{ name: 'kind', optional: true }],
      inputFields: [{ name: 'word' }],
      outputFields: [{ name: 'word', convertOutput: 'upper' }],
      sampleOutput: { word: 'HI' },
      description: 'Echoes a word',
      help: (ctx) => `Help for ${ctx.configFields.kind ?? 'any'}`,
      execute: (ctx) => ({ word: ctx.input.word }),
    },
    later: {
      execute: (ctx) => (ctx.continue ? { done: ctx.continue } : ctx.reinvokeAfter({ seconds: 5, continue: 1 })),
    },
    wait: { execute: (ctx) => ctx.waitForResume({ timeoutSeconds: 60, continue: { url: ctx.resumeUrl } }) },
  },
  triggers: {
    items: {
      inputFields: [{ name: 'since', optional: true }],
      poll: (ctx) => ({ events: [{ id: 1, since: ctx.input.since }], nextPoll: ctx.closure ?? 'c1' }),
      dedup: (e: { id: number }) => String(e.id),
      webhookKey: (ctx) => `key-${ctx.input.since}`,
      webhookSubscribe: (ctx) => ({ id: 'sub-1', url: ctx.webhookUrl }),
      webhookUnsubscribe: (ctx) => ({ removed: (ctx.subscription as { id: string }).id }),
      webhookRefresh: (ctx) => ({ id: (ctx.subscription as { id: string }).id, renewed: true }),
      webhookNotification: (ctx) => ctx.payload,
      webhookResponseStatus: 202,
    },
  },
});

const connection = { token: 'tok-secret-0123456789' };

describe('typed operations', () => {
  test('an action runs from its typed operation, its output converted and unknown input dropped', async () => {
    const result = await runOperation(
      connector,
      { kind: 'action', action: 'echo', input: { word: 'hi', extra: 1 } },
      { connection },
    );
    expect(result).toEqual({ kind: 'output', output: { word: 'HI' }, dropped: ['input.extra'] });
  });

  test('multistep actions come back suspended or waiting, with the resume URL minted on first read', async () => {
    expect(await runOperation(connector, { kind: 'action', action: 'later' })).toEqual({
      kind: 'suspended',
      reinvokeAfter: { seconds: 5, continue: 1 },
    });
    expect(await runOperation(connector, { kind: 'action', action: 'later', continue: 7 })).toMatchObject({
      output: { done: 7 },
    });
    let minted = 0;
    const waiting = await runOperation(
      connector,
      { kind: 'action', action: 'wait' },
      { resumeUrl: () => `https://x/resume/${++minted}` },
    );
    expect(waiting).toEqual({
      kind: 'waiting',
      waitForResume: { timeoutSeconds: 60, continue: { url: 'https://x/resume/1' } },
    });
  });

  test('trigger operations: poll, dedup, the webhook lifecycle and a notification with its reply', async () => {
    expect(await runOperation(connector, { kind: 'poll', trigger: 'items', input: { since: 'x' } })).toEqual({
      kind: 'output',
      output: { events: [{ id: 1, since: 'x' }], nextPoll: 'c1', canPollMore: false },
      dropped: [],
    });
    expect((await runOperation(connector, { kind: 'dedup', trigger: 'items', input: [{ id: 4 }] })).output).toEqual([
      '4',
    ]);
    const key = await runOperation(connector, { kind: 'webhook_key', trigger: 'items', input: { since: 's' } });
    expect(key.output).toBe('key-s');
    const sub = { kind: 'webhook_subscribe', trigger: 'items', webhookUrl: 'https://h/w' } as const;
    expect((await runOperation(connector, sub)).output).toEqual({ id: 'sub-1', url: 'https://h/w' });
    const subscription = { id: 'sub-1' };
    const refreshed = await runOperation(connector, { kind: 'webhook_refresh', trigger: 'items', subscription });
    expect(refreshed.output).toEqual({ id: 'sub-1', renewed: true });
    const removed = await runOperation(connector, { kind: 'webhook_unsubscribe', trigger: 'items', subscription });
    expect(removed.output).toEqual({ removed: 'sub-1' });
    const notified = await runOperation(connector, {
      kind: 'webhook_notification',
      trigger: 'items',
      webhook: { payload: { id: 9 }, headers: { 'X-Key': 'k' } },
    });
    expect(notified.output).toEqual({ id: 9 });
    expect(notified.reply.status).toBe(202);
    const keys = await runOperation(connector, { kind: 'webhook_keys', webhook: { headers: { 'X-Key': 'k1' } } });
    expect(keys.output).toBe('k1');
  });

  test('describe operations read field lists, sample output, description and help', async () => {
    const of = 'action';
    const name = 'echo';
    expect((await runOperation(connector, { kind: 'input_fields', of, name })).output).toEqual([{ name: 'word' }]);
    expect((await runOperation(connector, { kind: 'config_fields', of, name })).output).toEqual([
      { name: 'kind', optional: true },
    ]);
    expect((await runOperation(connector, { kind: 'sample_output', of, name })).output).toEqual({ word: 'HI' });
    expect((await runOperation(connector, { kind: 'description', of, name })).output).toBe('Echoes a word');
    const help = await runOperation(connector, { kind: 'help', of, name, configFields: { kind: 'b' } });
    expect(help.output).toEqual({ body: 'Help for b' });
    const fields = await runOperation(connector, { kind: 'object_definition', name: 'contact' });
    expect(fields.output).toEqual([{ name: 'id', type: 'integer' }]);
  });

  test('connection operations: test, identity, acquire (redacted output) and apply', async () => {
    expect((await runOperation(connector, { kind: 'test' }, { connection })).output).toEqual({ ok: true });
    expect((await runOperation(connector, { kind: 'identity' }, { connection })).output).toBe('someone@example.com');
    const applied = await runOperation(connector, { kind: 'apply' }, { connection });
    expect(JSON.stringify(applied.output)).not.toContain(connection.token);
    const acquired = await runOperation(connector, { kind: 'acquire' }, { connection: { ...connection } });
    expect(JSON.stringify(acquired.output)).not.toContain('sess-0123456789');
  });

  test('pick lists, methods and streams', async () => {
    const list = await runOperation(connector, { kind: 'pick_list', name: 'colors', args: { shade: 'dark' } });
    expect(list.output).toEqual([['Red dark', 'red']]);
    expect((await runOperation(connector, { kind: 'method', name: 'double', args: [21] })).output).toBe(42);
    const stream = await runOperation(connector, { kind: 'stream', name: 'bytes' });
    const chunks: string[] = [];
    for await (const chunk of stream.stream) chunks.push(Buffer.from(chunk).toString());
    expect(chunks.join('')).toBe('abc');
  });

  test('a pick list given non-object arguments is a usage error naming --args', async () => {
    const error = await runOperation(connector, { kind: 'pick_list', name: 'colors', args: [1] }).catch((e) => e);
    expect(isWeftError(error) && error.message).toContain('--args must be a JSON object');
  });

  test("no failure of an operation shows the connection's secrets, whichever lambda said them", async () => {
    const secret = 'sup3r-s3cret-value';
    const leaky = defineConnector({
      title: 'Leaky settings',
      connection: {
        fields: [{ name: 'client_id' }, { name: 'client_secret', controlType: 'password' }],
        authorization: {
          type: 'oauth2',
          authorizationUrl: (ctx) => {
            throw new Error(`cannot build the URL with ${ctx.connection.client_secret}`);
          },
          tokenUrl: (ctx) => {
            throw new Error(`no token URL for ${ctx.connection.client_secret}`);
          },
        },
      },
      test: () => ({ ok: true }),
    });
    const connection = { client_id: 'abc', client_secret: secret };
    const operations = [
      { kind: 'authorization_start', redirectUri: 'http://127.0.0.1:1/callback' },
      { kind: 'acquire' },
    ] as const;
    for (const operation of operations) {
      const error = await runOperation(leaky, operation, { connection }).catch((e) => e);
      expect(isWeftError(error), operation.kind).toBe(true);
      expect(error.message).toMatch(/connection\.authorization\.(authorizationUrl|tokenUrl) failed: .*\[REDACTED\]/);
      expect(error.message).not.toContain(secret);
    }
  });

  test('every exec path of a connector maps to an operation of a known kind, with the same result', async () => {
    for (const path of listPaths(connector)) {
      const operation = pathToOperation(path, connector);
      expect(OPERATION_KIND_NAMES).toContain(operation.kind);
      // Operations are plain data: they survive a structured clone (a process boundary) unchanged.
      expect(structuredClone(operation)).toEqual(operation);
    }
    const viaPath = await execute(connector, 'actions.echo.execute', { input: { word: 'yo' }, connection });
    const typed = pathToOperation('actions.echo.execute', connector, { input: { word: 'yo' } });
    expect(await runOperation(connector, typed, { connection })).toEqual(viaPath);
    expect(Object.keys(OPERATION_KINDS)).toEqual(OPERATION_KIND_NAMES);
  });
});
