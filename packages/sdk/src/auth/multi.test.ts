/**
 * `multi`: `selected(ctx)` names the option in force, and everything — apply, refreshOn/detectOn,
 * refresh/acquire, signing — comes from that option only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import { json, startServer, type TestServer } from '../http/__fixtures__/server.js';
import { closeHttp } from '../http/index.js';
import type { HttpExchangeLog } from '../http/types.js';
import { verifyAwsRequest } from './__fixtures__/aws-verify.js';

let server: TestServer;
let logins = 0;
beforeAll(async () => {
  server = await startServer();
  server.on('/whoami', (req, res, body) => {
    if (req.headers['x-amz-date']) {
      const verdict = verifyAwsRequest(req, body, { AKIDMULTI0001: { secretAccessKey: 'multi-aws-secret-000' } });
      return json(res, verdict.ok ? 200 : 403, { aws: verdict.ok });
    }
    json(res, 200, { apiKey: req.headers['x-api-key'] ?? null, authorization: req.headers.authorization ?? null });
  });
  server.on('/login', (_req, res) => {
    logins++;
    json(res, 200, { session_id: 'sess-multi-4242' });
  });
  server.on('/soft', (req, res) => {
    if (req.headers['x-session'] !== 'sess-multi-4242') return json(res, 200, { status: 'login required' });
    json(res, 200, { status: 'ok' });
  });
  server.on('/denied', (_req, res) => json(res, 401, { error: 'nope' }));
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});
beforeEach(() => {
  logins = 0;
});

const connector = defineConnector({
  title: 'Multi',
  connection: {
    fields: [
      { name: 'base' },
      {
        name: 'auth_type',
        controlType: 'select',
        options: [
          ['API key', 'key'],
          ['Basic', 'basic'],
        ],
      },
      { name: 'api_key', controlType: 'password', optional: true },
      { name: 'username', optional: true },
      { name: 'password', controlType: 'password', optional: true },
    ],
    authorization: {
      type: 'multi',
      selected: (ctx) => ctx.connection.auth_type,
      options: {
        key: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
        basic: { type: 'basic_auth' },
        session: {
          type: 'custom_auth',
          detectOn: ['login required'],
          acquire: async (ctx) => ctx.post(`${ctx.connection.base}/login`),
          apply: (ctx) => ctx.headers({ 'X-Session': ctx.connection.session_id }),
        },
        aws: { type: 'aws_auth', service: 'execute-api', region: 'eu-west-1' },
      },
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  test: (ctx) => ctx.get('whoami'),
  actions: {
    soft: { execute: (ctx) => ctx.get('soft') },
    denied: { execute: (ctx) => ctx.get('denied') },
  },
});

describe('multi authorization', () => {
  it('applies the api_key option when auth_type selects it', async () => {
    const exchanges: HttpExchangeLog[] = [];
    const result = await execute(connector, 'test', {
      connection: { base: server.url, auth_type: 'key', api_key: 'key-multi-1234', username: 'u', password: 'pw-0000' },
      onExchange: (log) => exchanges.push(log),
    });
    // The output is data, returned as it is; the exchanges are diagnostics, redacted.
    expect(result).toMatchObject({ output: { apiKey: 'key-multi-1234', authorization: null } });
    expect(JSON.stringify(exchanges)).not.toContain('key-multi-1234');
  });

  it('applies the basic_auth option when auth_type selects it', async () => {
    const result = await execute(connector, 'test', {
      connection: {
        base: server.url,
        auth_type: 'basic',
        api_key: 'key-multi-1234',
        username: 'ann',
        password: 'pw-0000',
      },
    });
    const basic = Buffer.from('ann:pw-0000').toString('base64');
    expect(result).toMatchObject({ output: { apiKey: null } });
    // The output is data, returned as it is.
    expect((result as { output: { authorization: string } }).output.authorization).toBe(`Basic ${basic}`);
  });

  it('takes detectOn and acquire from the selected option only', async () => {
    const session = await execute(connector, 'actions.soft.execute', {
      connection: { base: server.url, auth_type: 'session' },
    });
    expect(session).toMatchObject({ output: { status: 'ok' } });
    expect(logins).toBe(1);

    const key = await execute(connector, 'actions.soft.execute', {
      connection: { base: server.url, auth_type: 'key', api_key: 'key-multi-1234' },
    });
    expect(key).toMatchObject({ output: { status: 'login required' } });
    const denied = await execute(connector, 'actions.denied.execute', {
      connection: { base: server.url, auth_type: 'key', api_key: 'key-multi-1234' },
    }).catch((e) => e);
    expect(denied).toMatchObject({ code: 'HTTP_ERROR', status: 401 });
    expect(logins).toBe(1);
  });

  it('signs with AWS when the aws option is selected', async () => {
    const result = await execute(connector, 'test', {
      connection: {
        base: server.url,
        auth_type: 'aws',
        access_key_id: 'AKIDMULTI0001',
        secret_access_key: 'multi-aws-secret-000',
      },
    });
    expect(result).toMatchObject({ output: { aws: true } });
  });

  it('names the valid options when selected returns an unknown one', async () => {
    const error = await execute(connector, 'test', { connection: { base: server.url, auth_type: 'oauth' } }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'DEFINITION_INVALID' });
    expect(error.message).toContain('key, basic, session, aws');
  });
});
