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
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { WeftError } from '../errors.js';
import type { SignableRequest } from '../http/types.js';
import type { AwsAuthorization, ConnectorContext, Setting } from '../types.js';

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

/** Options of `ctx.awsSignature`. Credentials, region and service default to the connection's. */
export interface AwsSignatureOptions {
  method?: string;
  url: string | URL;
  headers?: Record<string, string | number | boolean>;
  body?: string | Uint8Array;
  service?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Sign the payload as `UNSIGNED-PAYLOAD` (S3 uploads of streams). */
  unsignedPayload?: boolean;
  /** Instead of headers, presign the URL (query-string authentication) for this many seconds. */
  presign?: number;
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

// ---------------------------------------------------------------------------------------------
// The connection's view

/** Credentials from the connection's `access_key_id`, `secret_access_key` and `session_token`. */
export function awsCredentialsOf(connection: Record<string, unknown>): AwsCredentials {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const sessionToken = str(connection.session_token);
  return {
    accessKeyId: str(connection.access_key_id) ?? '',
    secretAccessKey: str(connection.secret_access_key) ?? '',
    ...(sessionToken ? { sessionToken } : {}),
  };
}

async function setting(value: Setting | undefined, ctx: ConnectorContext): Promise<string | undefined> {
  const v = typeof value === 'function' ? await value(ctx) : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Region and service of an `aws_auth` authorization for this connection. */
export async function awsScope(
  authorization: AwsAuthorization | undefined,
  ctx: ConnectorContext,
  override: { region?: string; service?: string } = {},
): Promise<{ region: string; service: string }> {
  const connection = ctx.connection as Record<string, unknown>;
  const region =
    override.region ??
    (typeof connection.region === 'string' && connection.region !== '' ? connection.region : undefined) ??
    (await setting(authorization?.region, ctx));
  const service = override.service ?? (await setting(authorization?.service, ctx));
  if (!region) {
    throw new WeftError(
      'DEFINITION_INVALID',
      'AWS signing needs a region: add a `region` connection field or set `region` in connection.authorization',
    );
  }
  if (!service) {
    throw new WeftError(
      'DEFINITION_INVALID',
      'AWS signing needs a service: set `service` in connection.authorization (e.g. "s3", "execute-api")',
    );
  }
  return { region, service };
}

/** The `HttpEnv.sign` of an `aws_auth` authorization. */
export async function signForConnection(
  authorization: AwsAuthorization,
  ctx: ConnectorContext,
  request: SignableRequest,
  date: Date,
): Promise<Record<string, string>> {
  const { region, service } = await awsScope(authorization, ctx);
  return signAwsRequest({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
    unsignedPayload: request.streaming || request.headers['x-amz-content-sha256'] === UNSIGNED_PAYLOAD,
    credentials: awsCredentialsOf(ctx.connection as Record<string, unknown>),
    region,
    service,
    date,
  });
}

/**
 * `ctx.awsSignature(options)`: the headers to send (the given ones plus the signature), or with
 * `presign: seconds`, `{ url }` presigned for that long.
 */
export async function awsSignature(
  authorization: AwsAuthorization | undefined,
  ctx: ConnectorContext,
  options: AwsSignatureOptions,
  date: Date,
): Promise<Record<string, string>> {
  if (!options || (typeof options.url !== 'string' && !(options.url instanceof URL))) {
    throw new WeftError('REQUEST_INVALID', 'ctx.awsSignature needs { url } (an absolute URL)');
  }
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch {
    throw new WeftError('REQUEST_INVALID', 'ctx.awsSignature: url must be an absolute URL');
  }
  const { region, service } = await awsScope(authorization, ctx, options);
  const fromConnection = awsCredentialsOf(ctx.connection as Record<string, unknown>);
  const credentials: AwsCredentials = {
    accessKeyId: options.accessKeyId ?? fromConnection.accessKeyId,
    secretAccessKey: options.secretAccessKey ?? fromConnection.secretAccessKey,
    sessionToken: options.sessionToken ?? (options.accessKeyId ? undefined : fromConnection.sessionToken),
  };
  if (!credentials.sessionToken) delete credentials.sessionToken;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const input: AwsSigningInput = {
    method: options.method ?? 'GET',
    url,
    headers,
    body: options.body,
    unsignedPayload: options.unsignedPayload,
    credentials,
    region,
    service,
    date,
  };
  if (options.presign !== undefined) {
    return { url: await presignAwsUrl({ ...input, expiresIn: options.presign }) };
  }
  return { ...headers, ...(await signAwsRequest(input)) };
}
