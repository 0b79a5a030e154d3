/**
 * The start of an authorization-code flow for a loaded connector and one connection: what
 * `weft oauth2` (and the runtime's "connect" button) open in a browser. The code that comes back
 * is exchanged with `execute(connector, 'connection.authorization.acquire', { authorizationCode })`.
 */
import { WeftError } from '../errors.js';
import { createBaseContext, type RunEnvironment } from '../execute/context.js';
import { connectionSecrets } from '../operations/setup.js';
import { Redactor } from '../redact.js';
import type { ConnectorDefinition, OAuth2Authorization } from '../types.js';
import { selectAuthorization } from './apply.js';
import { type AuthorizationRequest, createAuthorizationRequest, type GrantType } from './oauth2.js';

export interface AuthorizationStart extends AuthorizationRequest {
  grantType: GrantType;
  pkce: boolean;
}

/** The oauth2 authorization in force for `connection` (the selected option of a `multi`). */
export function oauth2AuthorizationOf(
  connector: ConnectorDefinition,
  connection: Record<string, unknown>,
): OAuth2Authorization {
  const env = environment(connector, connection);
  const auth = selectAuthorization(connector.connection?.authorization, createBaseContext(env));
  if (auth?.type !== 'oauth2') {
    throw new WeftError(
      'USAGE',
      auth
        ? `This connection uses ${auth.type} authorization, not oauth2: nothing to authorize in a browser.`
        : 'This connector defines no connection.authorization: nothing to authorize.',
    );
  }
  return auth as OAuth2Authorization;
}

/** Builds the authorization URL (with a fresh state, and PKCE when the connector asks for it). */
export async function startAuthorization(
  connector: ConnectorDefinition,
  options: { connection: Record<string, unknown>; redirectUri: string },
): Promise<AuthorizationStart> {
  const env = environment(connector, options.connection);
  const ctx = createBaseContext(env);
  const auth = oauth2AuthorizationOf(connector, options.connection);
  const request = await createAuthorizationRequest(auth, ctx, options.redirectUri);
  return { ...request, grantType: auth.grantType ?? 'authorization_code', pkce: auth.pkce === true };
}

function environment(connector: ConnectorDefinition, connection: Record<string, unknown>): RunEnvironment {
  return {
    connector,
    connection,
    redactor: new Redactor(connectionSecrets(connector, connection)),
    timeoutMs: 40_000,
    now: () => new Date(),
    skipAuth: true,
  };
}
