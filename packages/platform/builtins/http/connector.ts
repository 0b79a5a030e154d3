/**
 * HTTP: the built-in connector for any REST API. One action sends any request (method, URL
 * under an optional base URL, query, headers, a JSON / form / multipart / XML / raw body) and
 * returns the status, the headers and the body parsed by its content type; one polling trigger
 * reads a list and fires once per new item. The connection chooses how requests authenticate:
 * none, Basic, an API key (header or query parameter), a bearer token, or OAuth 2.0 (client
 * credentials, or authorization code in a browser).
 *
 * Written with the public `@weft/sdk` only, like any connector: copy it as a starting point.
 */
import { defineConnector, type OAuth2Authorization } from '@weft/sdk';
import { newItemTrigger } from './new-item.js';
import { sendRequestAction } from './request.js';
import { text } from './shared.js';

const AUTH_TYPES = [
  ['None', 'none'],
  ['Basic (username and password)', 'basic'],
  ['API key', 'api_key'],
  ['Bearer token', 'bearer'],
  ['OAuth 2.0 client credentials', 'oauth2_client_credentials'],
  ['OAuth 2.0 authorization code (sign in with a browser)', 'oauth2_authorization_code'],
] as const;

const OAUTH2 =
  'connection.auth_type == "oauth2_client_credentials" || connection.auth_type == "oauth2_authorization_code"';

/** Each OAuth 2.0 kind twice: with the client's Basic header (the default) or its secret in the body. */
const clientCredentials: OAuth2Authorization = {
  type: 'oauth2',
  grantType: 'client_credentials',
  tokenUrl: (ctx) => text(ctx.connection, 'token_url') ?? '',
  scope: (ctx) => text(ctx.connection, 'scope') ?? '',
  refreshOn: [401],
};
const authorizationCode: OAuth2Authorization = {
  type: 'oauth2',
  authorizationUrl: (ctx) => text(ctx.connection, 'authorization_url') ?? '',
  tokenUrl: (ctx) => text(ctx.connection, 'token_url') ?? '',
  scope: (ctx) => text(ctx.connection, 'scope') ?? '',
  pkce: true,
  refreshOn: [401],
};

export default defineConnector({
  title: 'HTTP',
  description: 'Call any REST API: any method, URL, headers and body; poll a list for new items.',
  connection: {
    fields: [
      {
        name: 'base_url',
        label: 'Base URL',
        controlType: 'url',
        optional: true,
        sticky: true,
        hint: 'Optional: steps may then give paths under it (https://api.example.com/v1/)',
      },
      {
        name: 'auth_type',
        label: 'Authentication',
        controlType: 'select',
        options: AUTH_TYPES,
        default: 'none',
        extendsSchema: true,
      },
      { name: 'username', optional: true, ngIf: 'connection.auth_type == "basic"' },
      { name: 'password', controlType: 'password', optional: true, ngIf: 'connection.auth_type == "basic"' },
      {
        name: 'api_key_in',
        label: 'Send the API key in',
        controlType: 'select',
        options: [
          ['A header', 'header'],
          ['A query parameter', 'query'],
        ],
        default: 'header',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      {
        name: 'api_key_name',
        label: 'Header or parameter name',
        default: 'X-API-Key',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      {
        name: 'api_key',
        label: 'API key',
        controlType: 'password',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      { name: 'token', controlType: 'password', optional: true, ngIf: 'connection.auth_type == "bearer"' },
      {
        name: 'authorization_url',
        label: 'Authorization URL',
        controlType: 'url',
        optional: true,
        ngIf: 'connection.auth_type == "oauth2_authorization_code"',
      },
      { name: 'token_url', label: 'Token URL', controlType: 'url', optional: true, ngIf: OAUTH2 },
      { name: 'client_id', label: 'Client ID', optional: true, ngIf: OAUTH2 },
      { name: 'client_secret', label: 'Client secret', controlType: 'password', optional: true, ngIf: OAUTH2 },
      { name: 'scope', optional: true, hint: 'Space-separated scopes', ngIf: OAUTH2 },
      {
        name: 'client_auth',
        label: 'Send the client ID and secret',
        controlType: 'select',
        options: [
          ['In an HTTP Basic header (client_secret_basic)', 'basic'],
          ['In the request body (client_secret_post)', 'post'],
        ],
        default: 'basic',
        optional: true,
        hint: 'How the token endpoint wants the client to authenticate; most take the Basic header',
        ngIf: OAUTH2,
      },
    ],
    authorization: {
      type: 'multi',
      selected: (ctx) => {
        const type = text(ctx.connection, 'auth_type') ?? 'none';
        return type.startsWith('oauth2_') && ctx.connection.client_auth === 'post' ? `${type}_post` : type;
      },
      options: {
        none: { type: 'none' },
        basic: { type: 'basic_auth' },
        api_key: {
          type: 'api_key',
          apply: (ctx) => {
            const name = text(ctx.connection, 'api_key_name') ?? 'X-API-Key';
            const key = String(ctx.connection.api_key ?? '');
            if (ctx.connection.api_key_in === 'query') ctx.params({ [name]: key });
            else ctx.headers({ [name]: key });
          },
        },
        bearer: {
          type: 'api_key',
          apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.token ?? ''}` }),
        },
        oauth2_client_credentials: clientCredentials,
        oauth2_client_credentials_post: { ...clientCredentials, tokenAuthMethod: 'client_secret_post' },
        oauth2_authorization_code: authorizationCode,
        oauth2_authorization_code_post: { ...authorizationCode, tokenAuthMethod: 'client_secret_post' },
      },
    },
    baseUri: (ctx) => text(ctx.connection, 'base_url') ?? '',
  },
  test: async (ctx) => {
    const base = text(ctx.connection, 'base_url');
    if (!base) return { ok: true, checked: 'nothing (no base URL to call)' };
    const status = await ctx
      .get(base)
      .responseFormatRaw({ as: 'text' })
      .afterErrorResponse(/[\s\S]*/, (code) => code)
      .afterResponse((code) => code);
    if (status === 401 || status === 403) ctx.error(`${base} refused the credentials (HTTP ${status})`);
    return { ok: true, status };
  },
  actions: { request: sendRequestAction },
  triggers: { new_item: newItemTrigger },
});
