/**
 * AWS Signature Version 4 through the executor. The local server checks every signature on its
 * own with the `aws4` package (see __fixtures__/aws-verify.ts) and answers 403 when it fails,
 * like AWS does.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConnector } from '../define.js';
import { HttpError, isWeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { json, startServer, type TestServer } from '../http/__fixtures__/server.js';
import { closeHttp } from '../http/index.js';
import type { HttpExchangeLog } from '../http/types.js';
import { verifyAwsRequest } from './__fixtures__/aws-verify.js';

const KEY_ID = 'AKIDEXAMPLE0000001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TEMP_ID = 'ASIATEMPEXAMPLE0002';
const TEMP_SECRET = 'tEmPsEcReT/0123456789abcdefghijklmnopqrs';
const SESSION = 'FwoGZXIvYXdzEXAMPLEsessionTOKEN//////////+abc=';
const KEYS = {
  [KEY_ID]: { secretAccessKey: SECRET },
  [TEMP_ID]: { secretAccessKey: TEMP_SECRET, sessionToken: SESSION },
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/moved') {
      res.writeHead(307, { location: '/items?page=2' });
      res.end();
      return;
    }
    if (url.searchParams.has('X-Amz-Signature')) return presigned(req, res);
    const verdict = verifyAwsRequest(req, body, KEYS);
    if (!verdict.ok) return json(res, 403, { message: `SignatureDoesNotMatch: ${verdict.reason}` });
    json(res, 200, {
      ok: true,
      method: req.method,
      url: req.url,
      body: body.toString(),
      service: verdict.service,
      region: verdict.region,
      signed: verdict.signedHeaders,
      payload: req.headers['x-amz-content-sha256'],
    });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

/** Presigned URLs: recompute with aws4's query signing and compare. */
function presigned(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const aws4 = (globalThis as any).__aws4;
  const url = new URL(req.url!, 'http://x');
  const got = url.searchParams.get('X-Amz-Signature');
  const [keyId, , region, service] = String(url.searchParams.get('X-Amz-Credential')).split('/');
  url.searchParams.delete('X-Amz-Signature');
  const query = Object.fromEntries(url.searchParams);
  const signer = new aws4.RequestSigner(
    { host: req.headers.host, method: req.method, path: url.pathname, service, region, signQuery: true, headers: {} },
    { accessKeyId: keyId, secretAccessKey: KEYS[keyId as keyof typeof KEYS].secretAccessKey },
  );
  signer.parsePath();
  signer.parsedPath.query = query;
  signer.datetime = query['X-Amz-Date'];
  const ok = signer.signature() === got;
  json(res, ok ? 200 : 403, { ok, presigned: true });
}

const connector = defineConnector({
  title: 'AWS-like',
  connection: {
    fields: [
      { name: 'base' },
      { name: 'access_key_id' },
      { name: 'secret_access_key', controlType: 'password' },
      { name: 'session_token', controlType: 'password', optional: true },
      { name: 'region', optional: true },
    ],
    authorization: { type: 'aws_auth', service: 'execute-api', region: 'eu-central-1' },
    baseUri: (ctx) => ctx.connection.base,
  },
  test: (ctx) => ctx.get('items', { q: 'a b/c', limit: 10, tilde: 'x~y*' }),
  actions: {
    create: {
      inputFields: [{ name: 'name' }],
      execute: (ctx) => ctx.post('items/new', { name: ctx.input.name, note: 'ü and ☃' }),
    },
    upload: {
      execute: (ctx) =>
        ctx.put('files/a.bin').requestBody(Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')])),
    },
    follow: { execute: (ctx) => ctx.get('moved') },
    manual: {
      execute: async (ctx) => {
        const url = `${ctx.connection.base}/manual?x=1`;
        const body = JSON.stringify({ a: 1 });
        const headers = await ctx.awsSignature({
          method: 'POST',
          url,
          body,
          headers: { 'content-type': 'application/json' },
          service: 'lambda',
        });
        return ctx.post(url).requestBody(body).headers(headers);
      },
    },
    presign: {
      execute: async (ctx) => {
        const { url } = await ctx.awsSignature({
          url: `${ctx.connection.base}/bucket/key.txt`,
          service: 's3',
          presign: 300,
        });
        return { result: await ctx.get(url), url };
      },
    },
  },
});

const connection = (extra: Record<string, unknown> = {}) => ({
  base: server.url,
  access_key_id: KEY_ID,
  secret_access_key: SECRET,
  ...extra,
});

describe('aws_auth signs every request (verified with aws4)', () => {
  it('signs a GET with a query string; region from the authorization, service from its setting', async () => {
    const result = await execute(connector, 'test', { connection: connection() });
    expect(result).toMatchObject({
      kind: 'output',
      output: { ok: true, service: 'execute-api', region: 'eu-central-1', method: 'GET' },
    });
    const output = (result as { output: { signed: string[]; url: string } }).output;
    expect(output.url).toContain('?q=');
    expect(output.signed).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']));
  });

  it('signs a POST with a JSON body (body hash and content type included); connection region wins', async () => {
    const result = await execute(connector, 'actions.create.execute', {
      connection: connection({ region: 'us-west-2' }),
      input: { name: 'Ann' },
    });
    const output = (result as { output: Record<string, any> }).output;
    expect(output).toMatchObject({ ok: true, region: 'us-west-2', method: 'POST' });
    expect(JSON.parse(output.body)).toEqual({ name: 'Ann', note: 'ü and ☃' });
    expect(output.signed).toContain('content-type');
  });

  it('sends and signs x-amz-security-token for temporary credentials', async () => {
    const result = await execute(connector, 'test', {
      connection: connection({ access_key_id: TEMP_ID, secret_access_key: TEMP_SECRET, session_token: SESSION }),
    });
    expect(result).toMatchObject({ output: { ok: true } });
    expect((result as { output: { signed: string[] } }).output.signed).toContain('x-amz-security-token');
  });

  it('fails verification with a wrong secret: the 403 becomes an HttpError', async () => {
    const error = await execute(connector, 'test', {
      connection: connection({ secret_access_key: 'not-the-secret-at-all' }),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 403 });
    expect(error.message).toContain('SignatureDoesNotMatch: signature mismatch');
    expect(error.message).not.toContain('not-the-secret-at-all');
  });

  it('signs a stream body as UNSIGNED-PAYLOAD', async () => {
    const result = await execute(connector, 'actions.upload.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { ok: true, body: 'chunk-1chunk-2', payload: 'UNSIGNED-PAYLOAD' } });
  });

  it('signs again for a same-origin redirect', async () => {
    const result = await execute(connector, 'actions.follow.execute', { connection: connection() });
    expect(result).toMatchObject({ output: { ok: true, url: '/items?page=2' } });
  });

  it('needs a service and a region', async () => {
    const noScope = defineConnector({
      ...connector,
      connection: { ...connector.connection, authorization: { type: 'aws_auth' } },
    });
    const error = await execute(noScope, 'test', { connection: connection() }).catch((e) => e);
    expect(isWeftError(error) && error.message).toMatch(/needs a region|needs a service/);
  });
});

describe('ctx.awsSignature', () => {
  it('returns headers that sign a request the connector sends itself', async () => {
    // With aws_auth every request is signed anyway; manual signing serves other authorizations.
    const plain = defineConnector({
      ...connector,
      connection: { ...connector.connection, authorization: { type: 'none' } },
    });
    const result = await execute(plain, 'actions.manual.execute', { connection: connection({ region: 'ap-south-1' }) });
    expect(result).toMatchObject({ output: { ok: true, service: 'lambda', region: 'ap-south-1' } });
  });

  it('presigns a URL; the output is the data as returned (redaction is for diagnostics only)', async () => {
    (globalThis as any).__aws4 = (await import('node:module')).createRequire(import.meta.url)('aws4');
    const result = await execute(connector, 'actions.presign.execute', { connection: connection() });
    const output = (result as { output: { result: unknown; url: string } }).output;
    expect(output.result).toEqual({ ok: true, presigned: true });
    expect(output.url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
  });
});

describe('AWS secrets stay out of logs', () => {
  it('never shows the signature, the session token or the secret under --verbose', async () => {
    const exchanges: HttpExchangeLog[] = [];
    await execute(connector, 'actions.create.execute', {
      connection: connection({ access_key_id: TEMP_ID, secret_access_key: TEMP_SECRET, session_token: SESSION }),
      input: { name: 'x' },
      onExchange: (log) => exchanges.push(log),
    });
    await execute(connector, 'actions.presign.execute', {
      connection: connection(),
      onExchange: (log) => exchanges.push(log),
    });
    const shown = JSON.stringify(exchanges);
    expect(exchanges[0].requestHeaders.authorization).toBe('[REDACTED]');
    expect(exchanges[0].requestHeaders['x-amz-security-token']).toBe('[REDACTED]');
    expect(shown).not.toContain(SESSION);
    expect(shown).not.toContain(encodeURIComponent(SESSION));
    expect(shown).not.toContain(TEMP_SECRET);
    expect(shown).not.toMatch(/Signature=[0-9a-f]{64}/);
    expect(shown).toContain('X-Amz-Signature=[REDACTED]');
  });
});
