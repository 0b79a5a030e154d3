import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { ConnectorError, HttpError, WeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { normalizeEvents, parseWebhookBody, resolvePayload, webhookErrorReply } from './reply.js';
import { MemorySeenStore } from './seen.js';
import { matchStaticWebhook, runWebhookNotification, webhookKeyOfRecipe } from './webhooks.js';

describe('request bodies', () => {
  test('JSON, +json and form bodies are parsed; other types stay strings; raw keeps the body', () => {
    expect(parseWebhookBody('{"a":1}', 'application/json; charset=utf-8', undefined)).toEqual({ a: 1 });
    expect(parseWebhookBody('{"a":1}', 'application/vnd.api+json', 'json')).toEqual({ a: 1 });
    expect(parseWebhookBody('a=1&b=x+y&a=2', 'application/x-www-form-urlencoded', undefined)).toEqual({
      a: ['1', '2'],
      b: 'x y',
    });
    expect(parseWebhookBody('<a/>', 'application/xml', undefined)).toBe('<a/>');
    expect(parseWebhookBody('{"a":1}', 'application/json', 'raw')).toBe('{"a":1}');
    expect(parseWebhookBody('', 'application/json', undefined)).toEqual({});
    // No content type: JSON when it is JSON, else the string.
    expect(parseWebhookBody('[1]', undefined, undefined)).toEqual([1]);
    expect(parseWebhookBody('hello', undefined, undefined)).toBe('hello');
  });

  test('invalid JSON under a JSON content type is a 400 error', () => {
    let error: unknown;
    try {
      parseWebhookBody('{"a":', 'application/json', undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'WEBHOOK_REQUEST_INVALID', message: expect.stringMatching(/not valid JSON/) });
    expect(webhookErrorReply(error).status).toBe(400);
  });

  test('resolvePayload: a given payload wins, except for raw triggers', () => {
    expect(resolvePayload({ payload: { a: 1 }, rawBody: '{"a":2}' }, undefined)).toEqual({ a: 1 });
    expect(resolvePayload({ payload: { a: 1 }, rawBody: '{"a":2}' }, 'raw')).toBe('{"a":2}');
    expect(resolvePayload({ payload: { a: 1 } }, 'raw')).toBe('{"a":1}');
    expect(resolvePayload({}, undefined)).toEqual({});
  });

  test('normalizeEvents', () => {
    expect(normalizeEvents(null)).toEqual([]);
    expect(normalizeEvents(undefined)).toEqual([]);
    expect(normalizeEvents({ id: 1 })).toEqual([{ id: 1 }]);
    expect(normalizeEvents([{ id: 1 }, { id: 2 }])).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('failures map to statuses', () => {
    expect(webhookErrorReply(new ConnectorError('nope')).status).toBe(400);
    expect(webhookErrorReply(new WeftError('WEBHOOK_SIGNATURE_INVALID', 'bad')).status).toBe(401);
    expect(
      webhookErrorReply(new HttpError({ method: 'GET', url: 'u', status: 500, headers: {}, body: '', bodyExcerpt: '' }))
        .status,
    ).toBe(502);
    const unknown = webhookErrorReply(new Error('secret internals'));
    expect(unknown.status).toBe(500);
    expect(unknown.body).not.toContain('secret internals');
    expect(JSON.parse(webhookErrorReply(new ConnectorError('nope')).body)).toEqual({
      error: { code: 'CONNECTOR_ERROR', message: 'nope' },
    });
  });
});

const connector = defineConnector({
  title: 'Hooks',
  connection: { fields: [{ name: 'account' }, { name: 'api_key', controlType: 'password' }] },
  webhookKeys: (ctx) => ctx.headers['x-account'] ?? ctx.params.account ?? ctx.payload.account,
  triggers: {
    account_event: {
      inputFields: [{ name: 'kind', optional: true }],
      webhookKey: (ctx) => ctx.connection.account,
      webhookNotification: (ctx) =>
        ctx.input.kind && ctx.payload.kind !== ctx.input.kind ? null : (ctx.payload.events ?? ctx.payload),
      dedup: (e: { id: string }) => e.id,
    },
    raw: {
      webhookPayloadType: 'raw',
      webhookNotification: (ctx) => ({ body: ctx.payload, same: ctx.payload === ctx.rawBody }),
    },
    handshake: {
      webhookNotification: (ctx) => (ctx.payload.challenge ? null : ctx.payload),
      webhookResponseStatus: (ctx) => (ctx.payload.challenge ? 200 : 202),
      webhookResponseBody: (ctx) => (ctx.payload.challenge ? ctx.payload.challenge : { received: true }),
      webhookResponseHeaders: (ctx) => ({ 'X-Echo': ctx.params.echo ?? 'none' }),
    },
    fixed: {
      webhookNotification: (ctx) => ctx.payload,
      webhookResponseStatus: 204,
      webhookResponseHeaders: { 'x-fixed': 'yes' },
    },
    typed: {
      webhookNotification: (ctx) => ctx.payload,
      outputFields: [{ name: 'n', type: 'integer', convertOutput: 'integer_conversion' }],
    },
    bad_status: {
      webhookNotification: () => null,
      webhookResponseStatus: () => 999,
    },
  },
});

describe('static webhooks', () => {
  test('a recipe key comes from webhookKey; requests go to the recipes whose key matches', async () => {
    const key = await webhookKeyOfRecipe(connector, 'account_event', { connection: { account: 'acc-42' } });
    expect(key).toBe('acc-42');
    const recipes = [
      { triggerName: 'account_event', key: 'acc-42', id: 'r1' },
      { triggerName: 'account_event', key: 'acc-7', id: 'r2' },
      { triggerName: 'account_event', key: 'acc-42', id: 'r3' },
      { triggerName: 'no_such_trigger', key: 'acc-42', id: 'r4' },
    ];
    const byHeader = await matchStaticWebhook(connector, { headers: { 'X-Account': 'acc-42' }, payload: {} }, recipes);
    expect(byHeader.key).toBe('acc-42');
    expect(byHeader.matches.map((r) => r.id)).toEqual(['r1', 'r3']);
    const byParam = await matchStaticWebhook(connector, { params: { account: 'acc-7' }, payload: {} }, recipes);
    expect(byParam.matches.map((r) => r.id)).toEqual(['r2']);
    const byBody = await matchStaticWebhook(
      connector,
      { rawBody: '{"account":"acc-0"}', headers: { 'content-type': 'application/json' } },
      recipes,
    );
    expect(byBody).toEqual({ key: 'acc-0', matches: [] });
  });

  test('keys may be computed asynchronously, and numbers are keys', async () => {
    const numbered = defineConnector({
      title: 'Numbered',
      connection: { fields: [{ name: 'account' }] },
      webhookKeys: async (ctx) => Number(ctx.payload.user_id),
      triggers: {
        hook: {
          webhookKey: async (ctx) => Number(await Promise.resolve(ctx.connection.account)),
          webhookNotification: (ctx) => ctx.payload,
        },
      },
    });
    expect(await webhookKeyOfRecipe(numbered, 'hook', { connection: { account: '42' } })).toBe('42');
    const recipes = [{ triggerName: 'hook', key: '42' }];
    expect((await matchStaticWebhook(numbered, { payload: { user_id: 42 } }, recipes)).matches).toEqual(recipes);
  });

  test('a webhookKeys that returns no string is a clear error', async () => {
    await expect(matchStaticWebhook(connector, { payload: {} }, [])).rejects.toThrow(
      'webhookKeys must return a string key, got null',
    );
  });
});

describe('webhook notifications', () => {
  test('one event or an array become a list; exec output keeps what the lambda returned', async () => {
    const one = await runWebhookNotification({
      connector,
      trigger: 'account_event',
      request: { payload: { id: 'e1' } },
    });
    expect(one).toMatchObject({ output: { id: 'e1' }, events: [{ id: 'e1' }] });
    const many = await runWebhookNotification({
      connector,
      trigger: 'account_event',
      request: { payload: { events: [{ id: 'e1' }, { id: 'e2' }] } },
    });
    expect(many.events).toHaveLength(2);
    const none = await runWebhookNotification({
      connector,
      trigger: 'account_event',
      input: { kind: 'paid' },
      request: { payload: { kind: 'refunded', id: 'e3' } },
    });
    expect(none).toMatchObject({ output: null, events: [] });
  });

  test('with a store, a redelivered event is dropped', async () => {
    const store = new MemorySeenStore();
    const request = { payload: { events: [{ id: 'e1' }, { id: 'e1' }, { id: 'e2' }] } };
    const first = await runWebhookNotification({ connector, trigger: 'account_event', request, store });
    expect(first).toMatchObject({ events: [{ id: 'e1' }, { id: 'e2' }], duplicates: 1 });
    const again = await runWebhookNotification({ connector, trigger: 'account_event', request, store });
    expect(again).toMatchObject({ events: [], duplicates: 3 });
  });

  test("webhookPayloadType 'raw': the payload is the body string", async () => {
    const result = await execute(connector, 'triggers.raw.webhook_notification', {
      webhook: { rawBody: '{"a": 1}', headers: { 'content-type': 'application/json' } },
    });
    expect(result).toMatchObject({ output: { body: '{"a": 1}', same: true } });
  });

  test('a form-encoded body is parsed into ctx.payload', async () => {
    const result = await execute(connector, 'triggers.fixed.webhook_notification', {
      webhook: { rawBody: 'id=7&name=Ada', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    });
    expect(result).toMatchObject({ output: { id: '7', name: 'Ada' } });
  });

  test('the reply: default 200 and empty; static values; functions of the request (challenge echo)', async () => {
    const plain = await runWebhookNotification({
      connector,
      trigger: 'account_event',
      request: { payload: { id: 'x' } },
    });
    expect(plain.reply).toEqual({ status: 200, headers: {}, body: '' });
    const fixed = await runWebhookNotification({ connector, trigger: 'fixed', request: { payload: {} } });
    expect(fixed.reply).toEqual({ status: 204, headers: { 'x-fixed': 'yes' }, body: '' });
    const challenge = await runWebhookNotification({
      connector,
      trigger: 'handshake',
      request: { payload: { challenge: 'c-123' }, params: { echo: 'p' } },
    });
    expect(challenge).toMatchObject({ events: [] });
    expect(challenge.reply).toEqual({
      status: 200,
      headers: { 'x-echo': 'p', 'content-type': 'text/plain; charset=utf-8' },
      body: 'c-123',
    });
    const event = await runWebhookNotification({ connector, trigger: 'handshake', request: { payload: { id: 1 } } });
    expect(event.reply).toEqual({
      status: 202,
      headers: { 'x-echo': 'none', 'content-type': 'application/json' },
      body: '{"received":true}',
    });
  });

  test('a reply status function that returns no status is a clear error', async () => {
    await expect(runWebhookNotification({ connector, trigger: 'bad_status', request: {} })).rejects.toThrow(
      'triggers.bad_status.webhookResponseStatus must be an HTTP status code (100-599), got 999',
    );
  });

  test('output conversions apply to each event', async () => {
    const result = await runWebhookNotification({ connector, trigger: 'typed', request: { payload: [{ n: '5' }] } });
    expect(result.events).toEqual([{ n: 5 }]);
  });

  test('events are data: never redacted, even when they hold a connection value', async () => {
    const result = await runWebhookNotification({
      connector,
      trigger: 'fixed',
      connection: { api_key: 'sk-very-secret-123' },
      request: { payload: { leaked: 'sk-very-secret-123' } },
    });
    expect(result.events).toEqual([{ leaked: 'sk-very-secret-123' }]);
  });
});
