/**
 * A real OAuth 2.0 / OpenID Connect authorization server for tests: `oidc-provider` on
 * 127.0.0.1 with an ephemeral port. The login and consent pages are replaced by an automatic
 * interaction that approves (or, when told, denies) every request, and `authorize(url)` plays
 * the browser: it follows the redirects from the authorization URL to the client's redirect URI.
 *
 * Shared by the SDK, CLI and example-connector tests (imported by relative path; not built).
 */
/// <reference path="./oidc-provider.d.ts" />
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENTS = {
  /** Confidential, HTTP Basic client authentication; code, refresh and client credentials. */
  confidential: { id: 'weft-confidential', secret: 'confidential-secret-5d8c1a7e93f2' },
  /** Public (no secret); PKCE is required. */
  pkce: { id: 'weft-pkce' },
  /** Confidential, secret in the form body; client credentials only. */
  post: { id: 'weft-post', secret: 'post-secret-0b6e4d2a18c7' },
} as const;

/** Loopback redirect URIs of native clients match on any port (RFC 8252 §7.3). */
const REDIRECT_URIS = ['http://127.0.0.1/oauth/callback'];

export const ACCOUNT_ID = 'user-42';

export interface TestIssuer {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  provider: any;
  /** What the next interaction answers. */
  decision: 'approve' | 'deny';
  /**
   * Plays the browser: opens `url`, lets the automatic interaction log in and consent (or deny),
   * and returns the URL the server finally redirects to (the client's redirect URI, unvisited).
   */
  authorize(url: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  /** Endpoint paths, e.g. `{ authorization: '/oauth/authorize', token: '/oauth/token' }`. */
  routes?: { authorization?: string; token?: string; userinfo?: string };
  /** Serves other paths (an API next to the issuer); returns true when it answered. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const routes = { authorization: '/auth', token: '/token', userinfo: '/me', ...options.routes };
  let provider: any;
  const state = { decision: 'approve' as 'approve' | 'deny' };
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(provider, state.decision, req, res).catch((error) => {
        res.statusCode = 500;
        res.end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    if (options.handle?.(req, res)) return;
    handle!(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENTS.confidential.id,
        client_secret: CLIENTS.confidential.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        redirect_uris: REDIRECT_URIS,
        application_type: 'native',
        scope: 'openid offline_access api:read',
      },
      {
        client_id: CLIENTS.pkce.id,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: REDIRECT_URIS,
        application_type: 'native',
      },
      {
        client_id: CLIENTS.post.id,
        client_secret: CLIENTS.post.secret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
    ],
    scopes: ['openid', 'offline_access', 'api:read'],
    routes,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: (_ctx: unknown, client: { clientId: string }) => client.clientId === CLIENTS.pkce.id },
    issueRefreshToken: async () => true,
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: ['weft-test-cookie-key'] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
  });
  handle = provider.callback();

  return {
    issuer,
    authorizationUrl: `${issuer}${routes.authorization}`,
    tokenUrl: `${issuer}${routes.token}`,
    userinfoUrl: `${issuer}${routes.userinfo}`,
    provider,
    get decision() {
      return state.decision;
    },
    set decision(value) {
      state.decision = value;
    },
    authorize: (url) => followAuthorization(issuer, url),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The automatic login + consent (or a denial). */
async function interact(
  provider: any,
  decision: 'approve' | 'deny',
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (decision === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user declined the request' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({ accountId: ACCOUNT_ID, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: ACCOUNT_ID }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

/** Follows redirects with a cookie jar until they leave the issuer; returns that URL. */
async function followAuthorization(issuer: string, url: string): Promise<string> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    if (new URL(next).origin !== issuer) return next;
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const header of res.headers.getSetCookie()) {
      const pair = header.split(';')[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(header)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    const body = await res.text();
    if (!location)
      throw new Error(`the authorization stopped at ${next} with HTTP ${res.status}: ${body.slice(0, 500)}`);
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects during the authorization');
}
