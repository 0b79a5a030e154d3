import { defineConnector } from '@weft/sdk';

/** For the refresh gate across the host boundary (refresh-relay.test.ts). */
export default defineConnector({
  title: 'Refresher (isolation fixture)',
  connection: {
    fields: [{ name: 'base' }],
    authorization: {
      type: 'custom_auth',
      refresh: async (ctx) => ctx.post(`${ctx.connection.base}token`, { refresh_token: ctx.refreshToken }),
      apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.access_token}` }),
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  actions: {
    me: { execute: (ctx) => ctx.get('me') },
  },
});
