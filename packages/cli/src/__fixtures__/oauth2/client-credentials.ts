import { defineConnector } from '@weft/sdk';

/** Client credentials, secret in the form body. */
export default defineConnector({
  title: 'OAuth2 client credentials fixture',
  connection: {
    fields: [{ name: 'issuer' }, { name: 'client_id' }, { name: 'client_secret', controlType: 'password' }],
    authorization: {
      type: 'oauth2',
      grantType: 'client_credentials',
      tokenAuthMethod: 'client_secret_post',
      tokenUrl: (ctx) => `${ctx.connection.issuer}/token`,
      scope: 'api:read',
    },
  },
});
