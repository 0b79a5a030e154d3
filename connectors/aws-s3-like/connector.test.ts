/**
 * The S3-like connector against a fake object store that checks every AWS signature on its own
 * with the `aws4` package and answers 403 `SignatureDoesNotMatch` otherwise, like S3.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition, HttpExchangeLog } from '@weft/sdk';
import { closeHttp, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyAwsRequest } from '../../packages/sdk/src/auth/__fixtures__/aws-verify.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const KEY = { id: 'AKIAS3LIKEEXAMPLE01', secret: 's3like/Secret+Key/0123456789abcdefEXAMPLE' };
const TEMP = {
  id: 'ASIAS3LIKETEMP00002',
  secret: 'temp/Secret/Key/abcdefghijklmnop0123456',
  token: 'IQoJb3JpZ2luX2VjEXAMPLE//token+value=',
};
const KEYS = {
  [KEY.id]: { secretAccessKey: KEY.secret },
  [TEMP.id]: { secretAccessKey: TEMP.secret, sessionToken: TEMP.token },
};

const objects = new Map<string, { body: Buffer; type: string }>();
let base = '';
let connector: ConnectorDefinition;
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  handle(req, res, Buffer.concat(chunks));
});

function xml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const url = new URL(req.url ?? '/', 'http://x');
  const verdict = url.searchParams.has('X-Amz-Signature') ? presignedOk(req) : verifyAwsRequest(req, body, KEYS);
  if (!verdict.ok) {
    return xml(res, 403, `<Error><Code>SignatureDoesNotMatch</Code><Message>${verdict.reason}</Message></Error>`);
  }
  if ('service' in verdict && verdict.service !== 's3')
    return xml(res, 400, '<Error><Code>WrongService</Code></Error>');
  const [, bucket, ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (!bucket) {
    return xml(
      res,
      200,
      '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets><Bucket><Name>docs</Name></Bucket></Buckets></ListAllMyBucketsResult>',
    );
  }
  if (req.method === 'PUT') {
    objects.set(`${bucket}/${key}`, { body, type: String(req.headers['content-type']) });
    res.writeHead(200, { etag: '"x"' });
    return res.end();
  }
  if (!key) {
    const prefix = url.searchParams.get('prefix') ?? '';
    const items = [...objects.entries()]
      .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
      .map(([k, v]) => `<Contents><Key>${k.slice(bucket.length + 1)}</Key><Size>${v.body.length}</Size></Contents>`)
      .join('');
    return xml(
      res,
      200,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name>${items}</ListBucketResult>`,
    );
  }
  const found = objects.get(`${bucket}/${key}`);
  if (!found) return xml(res, 404, '<Error><Code>NoSuchKey</Code></Error>');
  res.writeHead(200, { 'content-type': found.type });
  res.end(found.body);
}

let aws4: any;
/** Query-string authentication, recomputed with aws4. */
function presignedOk(req: IncomingMessage): { ok: boolean; reason?: string } {
  const url = new URL(req.url ?? '/', 'http://x');
  const got = url.searchParams.get('X-Amz-Signature');
  const [id, , region, service] = String(url.searchParams.get('X-Amz-Credential')).split('/');
  url.searchParams.delete('X-Amz-Signature');
  const signer = new aws4.RequestSigner(
    { host: req.headers.host, method: req.method, path: url.pathname, service, region, signQuery: true, headers: {} },
    { accessKeyId: id, secretAccessKey: KEYS[id as keyof typeof KEYS]?.secretAccessKey ?? '' },
  );
  signer.parsePath();
  signer.parsedPath.query = Object.fromEntries(url.searchParams);
  signer.datetime = url.searchParams.get('X-Amz-Date');
  return signer.signature() === got ? { ok: true } : { ok: false, reason: 'presigned signature mismatch' };
}

beforeAll(async () => {
  aws4 = (await import('node:module')).createRequire(import.meta.url)('aws4');
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await closeHttp();
});

const connection = (extra: Record<string, unknown> = {}) => ({
  endpoint: base,
  region: 'eu-central-1',
  access_key_id: KEY.id,
  secret_access_key: KEY.secret,
  ...extra,
});

describe('S3-like storage with aws_auth', () => {
  test('test lists buckets with a signed GET', async () => {
    const result = await execute(connector, 'test', { connection: connection() });
    expect(result).toMatchObject({
      output: { ListAllMyBucketsResult: [{ Buckets: [{ Bucket: [{ Name: [{ '#text': 'docs' }] }] }] }] },
    });
  });

  test('put, list (signed query) and get an object', async () => {
    const put = await execute(connector, 'actions.put_object.execute', {
      connection: connection(),
      input: { bucket: 'docs', key: 'reports/2026 q1.txt', content: 'Grüße, report' },
    });
    expect(put).toMatchObject({ output: { key: 'reports/2026 q1.txt' } });
    const list = await execute(connector, 'actions.list_objects.execute', {
      connection: connection(),
      input: { bucket: 'docs', prefix: 'reports/' },
    });
    expect(list).toMatchObject({
      output: { objects: [{ key: 'reports/2026 q1.txt', size: Buffer.byteLength('Grüße, report') }] },
    });
    const got = await execute(connector, 'actions.get_object.execute', {
      connection: connection(),
      input: { bucket: 'docs', key: 'reports/2026 q1.txt' },
    });
    expect(got).toMatchObject({ output: { content: 'Grüße, report' } });
  });

  test('temporary credentials send a signed x-amz-security-token', async () => {
    const exchanges: HttpExchangeLog[] = [];
    const result = await execute(connector, 'test', {
      connection: connection({ access_key_id: TEMP.id, secret_access_key: TEMP.secret, session_token: TEMP.token }),
      onExchange: (log) => exchanges.push(log),
    });
    expect(result.kind).toBe('output');
    expect(exchanges[0].requestHeaders['x-amz-security-token']).toBe('[REDACTED]');
    expect(JSON.stringify(exchanges)).not.toContain(TEMP.token);
  });

  test('a wrong secret is refused with 403 SignatureDoesNotMatch', async () => {
    const error = await execute(connector, 'test', {
      connection: connection({ secret_access_key: 'wrong/secret/key/000000' }),
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 403 });
    expect(error.message).toContain('SignatureDoesNotMatch');
    expect(error.message).not.toContain('wrong/secret/key/000000');
  });

  test('presign_download makes a URL the store accepts; the output is data, not redacted', async () => {
    await execute(connector, 'actions.put_object.execute', {
      connection: connection(),
      input: { bucket: 'docs', key: 'a.txt', content: 'A' },
    });
    const result = await execute(connector, 'actions.presign_download.execute', {
      connection: connection(),
      input: { bucket: 'docs', key: 'a.txt', expires_in: 60 },
    });
    const { url } = (result as { output: { url: string } }).output;
    expect(url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    // Sign again with a method that returns the real URL to fetch it (a recipe step would pass it on).
    const direct = {
      ...connector,
      actions: {
        go: {
          execute: async (ctx: any) => {
            const signed = await ctx.awsSignature({ url: `${base}/docs/a.txt`, presign: 60 });
            return ctx.get(signed.url).responseFormatRaw();
          },
        },
      },
    };
    expect(await execute(direct, 'actions.go.execute', { connection: connection() })).toMatchObject({ output: 'A' });
  });
});
