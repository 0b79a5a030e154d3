/**
 * Secrets through real connectors and real HTTP on 127.0.0.1: redaction finds a secret in all
 * its encoded forms, hides values learned at run time, never rewrites an action's output, and
 * credentials never follow a request to another origin.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withCustomAction } from '../custom-action.js';
import { defineConnector } from '../define.js';
import type { HttpExchangeLog } from '../http/types.js';
import { asciiJson, expectNoPassword, PASSWORD, xml } from '../testing/__fixtures__/password.js';
import soapLogin from '../testing/__fixtures__/soap/connector.js';
import { execute } from './executor.js';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let api: Awaited<ReturnType<typeof listen>>;
let other: Awaited<ReturnType<typeof listen>>;
const SESSION = 'SESS-00D5g000004-abc123';
const USER_KEY = 'uk-7f3a9c1e55';

beforeAll(async () => {
  other = await listen((req, res) => {
    if (req.url === '/bounce') {
      // A second hop that stays on this (foreign) origin.
      res.writeHead(302, { location: '/landing' });
      return res.end();
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"landed":true}');
  });
  api = await listen((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/reject') {
      // The API echoes what it was sent, as JSON with ASCII escaping and as XML.
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(
        `{"error":"bad password ${asciiJson(PASSWORD).slice(1, -1)}","xml":"${xml(PASSWORD)}","raw":${body}}`,
      );
    }
    if (path === '/login') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(
        `<?xml version="1.0"?><Envelope><Body><loginResponse><result><sessionId>${SESSION}</sessionId>` +
          `<serverUrl>${api.url}/services/${USER_KEY}</serverUrl><userKey>${USER_KEY}</userKey></result></loginResponse></Body></Envelope>`,
      );
    }
    if (path.endsWith('/query')) {
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(
        `<?xml version="1.0"?><Envelope><Body><queryResponse><name>Acme</name></queryResponse></Body></Envelope>`,
      );
    }
    if (path === '/hopaws') {
      res.writeHead(302, { location: `${other.url}/bounce` });
      return res.end();
    }
    if (path === '/hop307') {
      res.writeHead(307, { location: `${other.url}/landing` });
      return res.end();
    }
    if (path === '/hop') {
      res.writeHead(302, { location: `${other.url}/landing?api_key=k3y-s3cret-42&x=1` });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path, headers: req.headers, body }));
  });
});
afterAll(() => {
  api.server.close();
  other.server.close();
});

describe('secrets in escaped forms (A5)', () => {
  const vault = defineConnector({
    title: 'Vault',
    connection: {
      fields: [{ name: 'base' }, { name: 'username' }, { name: 'password', controlType: 'password' }],
      authorization: { type: 'basic_auth' },
      baseUri: (ctx) => ctx.connection.base as string,
    },
    actions: {
      send: {
        execute: async (ctx) => ctx.post('/reject', { password: ctx.connection.password }),
      },
    },
  });

  test('a password with quotes, backslashes and non-ASCII shows in no error or exchange', async () => {
    const exchanges: HttpExchangeLog[] = [];
    const error = await execute(vault, 'actions.send.execute', {
      connection: { base: api.url, username: 'ann', password: PASSWORD },
      onExchange: (log) => exchanges.push(log),
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${JSON.stringify(exchanges)}`;
    expect(text).toContain('[REDACTED]');
    expectNoPassword(text);
    // The server did get the real password.
    expect(api.seen.at(-1)!.body).toBe(JSON.stringify({ password: PASSWORD }));
  });
});

describe('constant values set by apply are not secrets (A6)', () => {
  const soap = defineConnector({
    title: 'Soapish',
    connection: {
      fields: [{ name: 'base' }, { name: 'api_key', controlType: 'password' }],
      authorization: {
        type: 'api_key',
        apply: (ctx) =>
          ctx.headers({ 'Content-Type': 'text/xml', SOAPAction: 'test', 'X-Api-Key': ctx.connection.api_key }),
      },
      baseUri: (ctx) => ctx.connection.base as string,
    },
    actions: {
      search: {
        execute: async (ctx) => {
          const echoed = await ctx.get('/search');
          return { summary: 'latest contest results as text, test', contentType: echoed.headers['content-type'] };
        },
      },
    },
  });

  test("an action's output is returned as it is; the key header is still hidden in exchanges", async () => {
    const exchanges: HttpExchangeLog[] = [];
    const result = await execute(soap, 'actions.search.execute', {
      connection: { base: api.url, api_key: 'k3y-s3cret-42' },
      onExchange: (log) => exchanges.push(log),
    });
    expect(result).toMatchObject({
      kind: 'output',
      output: { summary: 'latest contest results as text, test', contentType: 'text/xml' },
    });
    const headers = exchanges[0].requestHeaders;
    expect(headers['x-api-key']).toBe('[REDACTED]');
    expect(headers['content-type']).toBe('text/xml');
    expect(headers.soapaction).toBe('test');
    expect(JSON.stringify(exchanges)).not.toContain('k3y-s3cret-42');
  });
});

describe('secrets learned at run time (A7)', () => {
  test('the login exchange does not show the session it obtains', async () => {
    const exchanges: HttpExchangeLog[] = [];
    const result = await execute(soapLogin, 'connection.authorization.acquire', {
      connection: { login_url: api.url, username: 'ann', password: 'hunter22' },
      onExchange: (log) => exchanges.push(log),
    });
    expect(result.kind).toBe('output');
    const text = JSON.stringify([exchanges, result]);
    expect(exchanges).toHaveLength(1);
    expect(text).not.toContain(SESSION);
    expect(text).not.toContain(USER_KEY);
  });

  test('later runs hide the stored session in XML bodies, URLs and the output of apply', async () => {
    const connection = {
      login_url: api.url,
      username: 'ann',
      password: 'hunter22',
      session_id: SESSION,
      server_url: `${api.url}/services/${USER_KEY}`,
      user_key: USER_KEY,
    };
    const exchanges: HttpExchangeLog[] = [];
    await execute(soapLogin, 'actions.query.execute', { connection, onExchange: (log) => exchanges.push(log) });
    expect(api.seen.at(-1)!.body).toContain(SESSION);
    const shown = JSON.stringify(exchanges);
    expect(shown).not.toContain(SESSION);
    expect(shown).not.toContain(USER_KEY);
    expect(shown).toContain('SELECT Name FROM Account');

    const applied = await execute(soapLogin, 'connection.authorization.apply', { connection });
    const text = JSON.stringify(applied);
    expect(text).not.toContain(SESSION);
    expect(text).not.toContain(USER_KEY);
    expect(text).toContain('text/xml');
  });
});

describe('credentials never follow a request to another origin (A8)', () => {
  const keyed = (customAction: true | { authorizeOtherOrigins: boolean }) =>
    defineConnector({
      title: 'Keyed',
      customAction,
      connection: {
        fields: [{ name: 'base' }, { name: 'api_key', controlType: 'password' }],
        authorization: {
          type: 'api_key',
          apply: (ctx) => {
            ctx.headers({ 'X-Api-Key': ctx.connection.api_key, 'X-Tenant': 'acme' });
            ctx.params({ api_key: ctx.connection.api_key });
          },
        },
        baseUri: (ctx) => ctx.connection.base as string,
      },
      actions: { hop: { execute: async (ctx) => ctx.get('/hop') } },
    });
  const connection = () => ({ base: api.url, api_key: 'k3y-s3cret-42' });

  test('a cross-origin redirect drops every header and query parameter apply set', async () => {
    const before = other.seen.length;
    const result = await execute(keyed(true), 'actions.hop.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { landed: true } });
    expect(api.seen.at(-1)!.headers['x-api-key']).toBe('k3y-s3cret-42');
    const landed = other.seen.slice(before);
    expect(landed).toHaveLength(1);
    expect(landed[0].headers['x-api-key']).toBeUndefined();
    expect(landed[0].headers['x-tenant']).toBeUndefined();
    expect(landed[0].url).toBe('/landing?x=1');
  });

  test('a 307 to another origin is not followed when apply put credentials in the body', async () => {
    const sessionInBody = defineConnector({
      title: 'Body session',
      connection: {
        fields: [{ name: 'base' }, { name: 'session_token', controlType: 'password' }],
        authorization: {
          type: 'api_key',
          apply: (ctx) => ctx.payload({ session_token: ctx.connection.session_token }),
        },
        baseUri: (ctx) => ctx.connection.base as string,
      },
      actions: { post: { execute: async (ctx) => ctx.post('/hop307', { q: 1 }) } },
    });
    const before = other.seen.length;
    const error = await execute(sessionInBody, 'actions.post.execute', {
      connection: { base: api.url, session_token: 'tok-in-body-77' },
    }).catch((e: Error) => e);
    expect((error as { status?: number }).status).toBe(307);
    expect(other.seen.length).toBe(before);
  });

  test('.withoutAuthorization() sends nothing apply sets, to another origin or the same', async () => {
    const bare = defineConnector({
      title: 'Bare',
      connection: keyed(true).connection,
      actions: {
        download: {
          inputFields: [{ name: 'url' }],
          execute: async (ctx) => ctx.get(`${ctx.input.url}`).withoutAuthorization(),
        },
      },
    });
    for (const [server, path] of [
      [other, '/presigned?X-Amz-Signature=abc'],
      [api, '/public'],
    ] as const) {
      await execute(bare, 'actions.download.execute', {
        connection: connection(),
        input: { url: `${server.url}${path}` },
      });
      const sent = server.seen.at(-1)!;
      expect(sent.url).toBe(path);
      expect(sent.headers['x-api-key']).toBeUndefined();
      expect(sent.headers['x-tenant']).toBeUndefined();
    }
  });

  test('custom_action sends no authorization to another origin unless the connector opts in', async () => {
    const call = (c: true | { authorizeOtherOrigins: boolean }, path: string) =>
      execute(withCustomAction(keyed(c)), 'actions.custom_action.execute', {
        connection: connection(),
        input: { path },
      });

    await call(true, `${other.url}/elsewhere`);
    expect(other.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
    expect(other.seen.at(-1)!.url).toBe('/elsewhere');

    await call(true, `${api.url}/same-origin`);
    expect(api.seen.at(-1)!.headers['x-api-key']).toBe('k3y-s3cret-42');

    await call({ authorizeOtherOrigins: true }, `${other.url}/elsewhere`);
    expect(other.seen.at(-1)!.headers['x-api-key']).toBe('k3y-s3cret-42');
  });

  test('a header named like a credential does not follow a cross-origin redirect, even when the action set it', async () => {
    const own = defineConnector({
      title: 'Own header',
      connection: { fields: [{ name: 'base' }], baseUri: (ctx) => ctx.connection.base as string },
      actions: {
        hop: { execute: async (ctx) => ctx.get('/hop').headers({ 'X-Api-Token': 'own-t0ken-55', 'X-Trace': 't1' }) },
      },
    });
    const before = other.seen.length;
    await execute(own, 'actions.hop.execute', { connection: { base: api.url } });
    expect(api.seen.at(-1)!.headers['x-api-token']).toBe('own-t0ken-55');
    const landed = other.seen.slice(before);
    expect(landed).toHaveLength(1);
    expect(landed[0].headers['x-api-token']).toBeUndefined();
    expect(landed[0].headers['x-trace']).toBe('t1');
  });

  test('custom_action decides on the resolved URL: a protocol-relative path to another origin is not authorized', async () => {
    const host = other.url.replace(/^http:/, '');
    for (const path of [`${host}/proto-relative`, `/\\${host.slice(2)}/backslashed`]) {
      const before = other.seen.length;
      await execute(withCustomAction(keyed(true)), 'actions.custom_action.execute', {
        connection: connection(),
        input: { path },
      });
      const landed = other.seen.slice(before);
      expect(landed).toHaveLength(1);
      expect(landed[0].headers['x-api-key']).toBeUndefined();
      expect(landed[0].url).not.toContain('k3y-s3cret-42');
    }
  });

  test('an AWS-signed request is not signed again on a later hop of a foreign origin', async () => {
    const signed = defineConnector({
      title: 'Signed',
      connection: {
        fields: [{ name: 'base' }, { name: 'access_key_id' }, { name: 'secret_access_key', controlType: 'password' }],
        authorization: { type: 'aws_auth', service: 's3' },
        baseUri: (ctx) => ctx.connection.base as string,
      },
      actions: { hop: { execute: async (ctx) => ctx.get('/hopaws') } },
    });
    const before = other.seen.length;
    await execute(signed, 'actions.hop.execute', {
      connection: {
        base: api.url,
        access_key_id: 'AKIAEXAMPLE7',
        secret_access_key: 'aws-s3cret-key-99',
        region: 'us-east-1',
      },
    });
    const landed = other.seen.slice(before);
    expect(landed.map((r) => r.url)).toEqual(['/bounce', '/landing']);
    for (const hop of landed) {
      expect(hop.headers.authorization).toBeUndefined();
      expect(JSON.stringify(hop.headers)).not.toContain('AKIAEXAMPLE7');
    }
  });
});
