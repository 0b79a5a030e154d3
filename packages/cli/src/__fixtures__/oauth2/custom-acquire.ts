import { defineConnector } from '@weft/sdk';

/** Authorization code with the connector's own token exchange (TrackVia-like): JSON bodies, `expires_in`. */
export default defineConnector({
  title: 'Custom acquire fixture',
  connection: {
    fields: [{ name: 'issuer' }, { name: 'client_id' }, { name: 'client_secret', controlType: 'password' }],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${ctx.connection.issuer}/auth`,
      acquire: async (ctx) => {
        const answer = await ctx.post(`${ctx.connection.issuer}/custom-token`, {
          code: ctx.code,
          redirect_uri: ctx.redirectUri,
          client_id: ctx.connection.client_id,
        });
        return { access_token: answer.token, refresh_token: answer.refresh, expires_in: answer.ttl };
      },
      refresh: async (ctx) => {
        const answer = await ctx.post(`${ctx.connection.issuer}/custom-refresh`, { token: ctx.refreshToken });
        return { access_token: answer.token, expires_in: answer.ttl };
      },
    },
    baseUri: (ctx) => `${ctx.connection.issuer}/`,
  },
  test: (ctx) => ctx.get('me'),
});
