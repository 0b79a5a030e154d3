/**
 * @weft/sdk/oauth2: the OAuth 2.0 protocol client the hosts use — authorization URLs with state
 * and PKCE, the callback, code exchange, client-credentials, password and refresh grants, and
 * the defaults the executor runs when a connector defines no `acquire` / `refresh`. A connector
 * does not call these: it declares `authorization: { type: 'oauth2', ... }` (from `@weft/sdk`).
 */

export { type AuthorizationStart, oauth2AuthorizationOf, startAuthorization } from './auth/flow.js';
export {
  type AuthorizationRequest,
  type AuthorizationUrlOptions,
  buildAuthorizationUrl,
  type CodeExchange,
  checkTokenUrl,
  clientCredentialsToken,
  createAuthorizationRequest,
  createPkcePair,
  createState,
  defaultAcquire,
  defaultRefresh,
  exchangeCode,
  type GrantType,
  type OAuth2Client,
  type OAuth2Settings,
  type OAuth2Tokens,
  type PkcePair,
  parseAuthorizationCallback,
  passwordToken,
  refreshToken,
  resolveOAuth2Settings,
  type TokenAuthMethod,
  type TokenRequestEnv,
} from './auth/oauth2.js';
