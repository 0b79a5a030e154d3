import { defineConnector } from '@weft/sdk';

/** A session-login API: `acquire` trades username and password for a session token. */
export default defineConnector({
  title: 'Fixture service',
  connection: {
    fields: [
      { name: 'base_url', controlType: 'url' },
      { name: 'username' },
      { name: 'password', controlType: 'password' },
      { name: 'port', type: 'integer', optional: true },
      { name: 'region', optional: true, default: 'eu' },
    ],
    authorization: {
      type: 'custom_auth',
      acquire: async (ctx) => {
        const body = await ctx.post('login', { username: ctx.connection.username, password: ctx.connection.password });
        return { session_token: body.session_token };
      },
      apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.session_token}` }),
      refreshOn: [401],
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    ping: { outputFields: [{ name: 'pong', type: 'boolean' }], execute: () => ({ pong: true }) },
  },
});
