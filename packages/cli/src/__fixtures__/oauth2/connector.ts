import { defineConnector } from '@weft/sdk';

/** Authorization code, confidential client: the app's id and secret come from the settings. */
export default defineConnector({
  title: 'OAuth2 fixture',
  connection: {
    fields: [{ name: 'issuer' }, { name: 'client_id' }, { name: 'client_secret', controlType: 'password' }],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${ctx.connection.issuer}/auth?prompt=consent`,
      tokenUrl: (ctx) => `${ctx.connection.issuer}/token`,
      scope: 'openid offline_access',
    },
    baseUri: (ctx) => `${ctx.connection.issuer}/`,
  },
  test: (ctx) => ctx.get('me'),
});
