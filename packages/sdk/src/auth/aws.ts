/**
 * AWS Signature Version 4 (SPEC §4, `aws_auth`). Requests are signed with `@smithy/signature-v4`
 * (the implementation the AWS SDK uses) from the connection's keys:
 *
 * - `access_key_id`, `secret_access_key`, optional `session_token` (sent as `x-amz-security-token`);
 * - region: the connection's `region`, else the authorization's `region` (a string or `(ctx) => string`);
 * - service: the authorization's `service` (a string or `(ctx) => string`), e.g. `s3`, `execute-api`.
 *
 * The signature covers the final request: method, path, query, every header sent (host
 * included) and the SHA-256 of the body; a stream body is signed as `UNSIGNED-PAYLOAD`.
 *
 * This module signs from explicit input and imports no connector types (`types.ts` imports its
 * `AwsSignatureOptions`); aws-connection.ts reads the input off a connection.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { WeftError } from '../errors.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsSigningInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** Sign the payload as `UNSIGNED-PAYLOAD` (stream bodies). */
  unsignedPayload?: boolean;
  credentials: AwsCredentials;
  region: string;
  service: string;
  date: Date;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** The request `SignatureV4` signs and presigns (its `HttpRequest`). */
type SmithyRequest = Parameters<SignatureV4['presign']>[0];

function signer(input: Pick<AwsSigningInput, 'credentials' | 'region' | 'service'>): SignatureV4 {
  return new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: input.service,
    sha256: Sha256,
    // S3 takes the path as sent; every other service double-encodes it (AWS rules since 2017).
    uriEscapePath: input.service !== 's3',
  });
}

/** Query parameters exactly as sent, decoded once (`+` stays a plus: the builder encodes spaces as %20). */
function queryOf(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const search = url.search.slice(1);
  if (!search) return out;
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function toSmithyRequest(input: Omit<AwsSigningInput, 'credentials' | 'region' | 'service' | 'date'>): SmithyRequest {
  const { url } = input;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = String(value);
  headers.host = url.host;
  if (input.unsignedPayload) headers['x-amz-content-sha256'] = UNSIGNED_PAYLOAD;
  return {
    method: input.method.toUpperCase(),
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    query: queryOf(url),
    headers,
    body: input.unsignedPayload ? undefined : input.body,
  };
}

/** The headers that authenticate the request: `authorization`, `x-amz-date`, `x-amz-content-sha256`, ... */
export async function signAwsRequest(input: AwsSigningInput): Promise<Record<string, string>> {
  checkCredentials(input.credentials);
  const request = toSmithyRequest(input);
  const signed = await signer(input).sign(request, { signingDate: input.date });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host') continue; // sent by the HTTP client from the URL
    if (request.headers[lower] === value && !lower.startsWith('x-amz-')) continue; // unchanged input header
    out[lower] = value;
  }
  return out;
}

/** A presigned URL (query-string authentication), valid for `expiresIn` seconds (at most 7 days). */
export async function presignAwsUrl(input: AwsSigningInput & { expiresIn: number }): Promise<string> {
  checkCredentials(input.credentials);
  // S3 presigns the payload as UNSIGNED-PAYLOAD; other services sign the (empty) body.
  const request = toSmithyRequest({ ...input, unsignedPayload: input.unsignedPayload ?? input.service === 's3' });
  const payloadHeader = new Set(['x-amz-content-sha256']);
  let signed: SmithyRequest;
  try {
    signed = await signer(input).presign(request, {
      signingDate: input.date,
      expiresIn: input.expiresIn,
      // The payload hash decides the signature but is neither sent nor signed as a header.
      unhoistableHeaders: payloadHeader,
      unsignableHeaders: payloadHeader,
    });
  } catch (error) {
    throw new WeftError('REQUEST_INVALID', `awsSignature: ${error instanceof Error ? error.message : String(error)}`);
  }
  const url = new URL(input.url.href);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(v === null ? strictEncode(key) : `${strictEncode(key)}=${strictEncode(v)}`);
    }
  }
  url.search = parts.length ? `?${parts.join('&')}` : '';
  return url.href;
}

/** RFC 3986 encoding, as AWS canonicalizes query strings. */
function strictEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkCredentials(credentials: AwsCredentials): void {
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new WeftError(
      'REQUEST_INVALID',
      'AWS signing needs access_key_id and secret_access_key in the connection (or accessKeyId/secretAccessKey given to ctx.awsSignature)',
    );
  }
}
