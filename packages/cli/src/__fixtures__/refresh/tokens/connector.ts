import { defineConnector } from '@weft/sdk';

/** An OAuth2 API on 127.0.0.1 (cluster-refresh.test.ts): the default refresh at `<base>/token`. */
export default defineConnector({
  title: 'Tokens (refresh fixture)',
  connection: {
    fields: [{ name: 'base' }],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${ctx.connection.base}/authorize`,
      tokenUrl: (ctx) => `${ctx.connection.base}/token`,
      clientId: 'weft-cluster',
      clientSecret: 'cluster-client-secret-4242',
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    whoami: { execute: (ctx) => ctx.get('me') },
  },
});
