import { defineConnector } from '@weft/sdk';

/** A session login without HTTP: `acquire` hands out a token that the CLI writes back. */
export default defineConnector({
  title: 'Session fixture',
  connection: {
    fields: [{ name: 'user' }, { name: 'password', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      acquire: (ctx) => ({ session_token: `sess-${ctx.connection.user}-7f3a9c1e5b` }),
      apply: (ctx) => ctx.headers({ authorization: `Session ${ctx.connection.session_token}` }),
    },
  },
  test: () => ({ ok: true }),
  actions: {
    whoami: {
      execute: (ctx) => ({
        user: ctx.connection.user,
        has_password: typeof ctx.connection.password === 'string',
        has_session: typeof ctx.connection.session_token === 'string',
      }),
    },
  },
});
