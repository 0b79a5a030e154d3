/**
 * Operations on the connection itself: `test`, `identity`, `base_uri`, and the authorization's
 * `acquire`, `refresh` and `apply`.
 */
import { applyAuthorization, selectAuthorization } from '../auth/apply.js';
import { oauth2AuthorizationOf, startAuthorization } from '../auth/flow.js';
import { obtainCredentials } from '../auth/obtain.js';
import { WeftError } from '../errors.js';
import { createBaseContext, type RunEnvironment, runLambda } from '../execute/context.js';
import { identityOf } from '../execute/paths.js';
import type { AcquireOperation, AuthorizationStartOperation, ConnectionOperation } from '../model/operations.js';
import { type AuthorizationStartResult, type OutputResult, output } from './types.js';

export async function runTest(env: RunEnvironment): Promise<OutputResult> {
  const test = env.connector.test;
  if (typeof test !== 'function') {
    throw new WeftError(
      'UNKNOWN_PATH',
      'This connector defines no `test`: add `test: async (ctx) => ...` to check a connection.',
    );
  }
  const ctx = createBaseContext(env);
  return output(await runLambda('test', env.redactor, () => test(ctx)));
}

export async function runIdentity(env: RunEnvironment): Promise<OutputResult<string | null>> {
  const fn = identityOf(env.connector);
  if (!fn) {
    throw new WeftError(
      'UNKNOWN_PATH',
      'This connector defines no `identity`: add `identity: (ctx) => ...` to name the account behind a connection.',
    );
  }
  const ctx = createBaseContext(env);
  const who = await runLambda('identity', env.redactor, () => fn(ctx));
  return output(who === undefined || who === null ? null : String(who));
}

export async function runBaseUri(env: RunEnvironment): Promise<OutputResult<string | null>> {
  const fn = env.connector.connection?.baseUri;
  const ctx = createBaseContext(env);
  return output(fn ? await runLambda('connection.baseUri', env.redactor, () => fn(ctx)) : null);
}

/** What `apply` sets on a request (headers, params, ...), redacted. */
export async function runApply(env: RunEnvironment, _operation: ConnectionOperation): Promise<OutputResult> {
  const ctx = createBaseContext(env);
  const auth = selectAuthorization(env.connector.connection?.authorization, ctx);
  const applied = await applyAuthorization(auth, env.connection, env.redactor);
  return output(env.redactor.redactValue(applied ?? null));
}

/**
 * `acquire` and `refresh`: requests inside them run without `apply` (env.skipAuth); the result
 * is merged into env.connection, which the caller stores.
 */
export async function runObtain(
  env: RunEnvironment,
  operation: AcquireOperation | ConnectionOperation,
): Promise<OutputResult> {
  const ctx = createBaseContext(env);
  const auth = selectAuthorization(env.connector.connection?.authorization, ctx);
  const kind = operation.kind === 'acquire' ? 'acquire' : 'refresh';
  const code = operation.kind === 'acquire' ? operation.authorizationCode : undefined;
  return output(await obtainCredentials(kind, auth, ctx, env, code));
}

/** The grant type of the connection's OAuth2 authorization and, for the code grant, its URL. */
export async function runAuthorizationStart(
  env: RunEnvironment,
  operation: AuthorizationStartOperation,
): Promise<OutputResult<AuthorizationStartResult>> {
  const grantType = oauth2AuthorizationOf(env.connector, env.connection).grantType ?? 'authorization_code';
  if (grantType !== 'authorization_code') return output({ grantType });
  const start = await startAuthorization(env.connector, {
    connection: env.connection,
    redirectUri: operation.redirectUri,
  });
  return output({ grantType, start });
}
