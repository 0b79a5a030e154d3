/**
 * `aws_auth` for a connection: credentials, region and service read off the connection and its
 * authorization, then signed by aws.ts. Kept apart from aws.ts so that the signing module
 * imports no connector types (types.ts imports it: no cycle).
 */
import { WeftError } from '../errors.js';
import type { SignableRequest } from '../http/types.js';
import type { AwsAuthorization, Setting } from '../types/auth.js';
import type { AwsSignatureOptions, ConnectorContext } from '../types/contexts.js';
import { type AwsCredentials, type AwsSigningInput, presignAwsUrl, signAwsRequest, UNSIGNED_PAYLOAD } from './aws.js';

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
