import { defineConnector } from '@weft/sdk';

export default defineConnector({
  title: 'Refresh then fail',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'token', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      refresh: () => ({ token: 'fresh-token-0123456789' }),
      apply: (ctx) => ctx.headers({ 'X-Token': ctx.connection.token }),
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  actions: {
    fetch: { execute: (ctx) => ctx.get('data') },
  },
});
