import { defineConnector } from '@weft/sdk';

/** An OAuth2 setting whose lambda fails with the client secret in its message (a connector bug). */
export default defineConnector({
  title: 'Leaky OAuth2 app',
  connection: {
    fields: [{ name: 'client_id' }, { name: 'client_secret', controlType: 'password' }],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => {
        throw new Error(`no authorization URL for ${ctx.connection.client_id}:${ctx.connection.client_secret}`);
      },
      tokenUrl: 'http://127.0.0.1:9/token',
    },
  },
});
