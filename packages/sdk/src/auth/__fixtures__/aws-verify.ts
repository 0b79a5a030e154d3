/**
 * Checks an AWS Signature Version 4 the way a server does, independently of the signer under
 * test: the `aws4` package recomputes the signature from the received request and the secret
 * that belongs to the access key, and the body hash is checked against the body received.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const aws4 = require('aws4') as any;

export interface AwsKey {
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Verdict {
  ok: boolean;
  reason?: string;
  service?: string;
  region?: string;
  signedHeaders?: string[];
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export function verifyAwsRequest(req: IncomingMessage, body: Buffer, keys: Record<string, AwsKey>): Verdict {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? AUTH.exec(header) : null;
  if (!m) return { ok: false, reason: 'no AWS4-HMAC-SHA256 authorization header' };
  const [, accessKeyId, day, region, service, signedList, signature] = m;
  const key = keys[accessKeyId];
  if (!key) return { ok: false, reason: 'unknown access key' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day)) return { ok: false, reason: 'x-amz-date does not match the credential scope' };
  const signedHeaders = signedList.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'host is not signed' };
  if (key.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken) {
    return { ok: false, reason: 'missing or wrong x-amz-security-token' };
  }
  if (key.sessionToken !== undefined && !signedHeaders.includes('x-amz-security-token')) {
    return { ok: false, reason: 'x-amz-security-token is not signed' };
  }
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== 'UNSIGNED-PAYLOAD') {
    if (payloadHash !== createHash('sha256').update(body).digest('hex')) {
      return { ok: false, reason: 'x-amz-content-sha256 does not match the body' };
    }
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    headers[name] = Array.isArray(value) ? value.join(',') : String(value ?? '');
  }
  const signer = new aws4.RequestSigner(
    {
      host: req.headers.host,
      method: req.method,
      path: req.url,
      headers,
      body: body.length ? body : undefined,
      service,
      region,
      doNotModifyHeaders: true,
    },
    { accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
  );
  signer.datetime = amzDate;
  const expected = signer.signature();
  if (expected !== signature) return { ok: false, reason: 'signature mismatch', service, region, signedHeaders };
  return { ok: true, service, region, signedHeaders };
}
