import { defineConnector } from '@weft/sdk';

/** OAuth2 authorization code (confidential client, or PKCE when `pkce` is set in the connection's app). */
export default defineConnector({
  title: 'Fixture OAuth2 app',
  connection: {
    fields: [
      { name: 'issuer' },
      { name: 'client_id' },
      { name: 'client_secret', controlType: 'password', optional: true },
    ],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${ctx.connection.issuer}/auth?prompt=consent`,
      tokenUrl: (ctx) => `${ctx.connection.issuer}/token`,
      scope: 'openid offline_access',
      pkce: true,
    },
    baseUri: (ctx) => `${ctx.connection.issuer}/`,
  },
  test: (ctx) => ctx.get('me'),
});
