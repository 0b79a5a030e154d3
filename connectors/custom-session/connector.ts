import { defineConnector } from '@weft/sdk';

/**
 * Ledgerly: an invoicing API with session logins. `POST session` with the user's credentials
 * answers a session id that later requests send in `X-Session-Id`. Sessions expire after a
 * while; the API then answers 401 — or, on some older endpoints, 200 with
 * `{ "error": "SESSION_EXPIRED" }`. Both make Weft log in again (once) and resend the request.
 */
export default defineConnector({
  title: 'Ledgerly',
  connection: {
    fields: [
      { name: 'base_url', label: 'API URL', controlType: 'url', hint: 'e.g. https://acme.ledgerly.example/api' },
      { name: 'username' },
      { name: 'password', controlType: 'password' },
    ],
    authorization: {
      type: 'custom_auth',
      // The login: its result is merged into the connection (and is a secret from then on).
      acquire: async (ctx) => {
        const { session_id } = await ctx.post('session', {
          username: ctx.connection.username,
          password: ctx.connection.password,
        });
        return { session_id };
      },
      // A 401, or a 200 whose body says so, means "log in again".
      refreshOn: [401],
      detectOn: [/SESSION_EXPIRED/],
      apply: (ctx) => {
        if (ctx.connection.session_id) ctx.headers({ 'X-Session-Id': ctx.connection.session_id });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    list_invoices: {
      title: 'List invoices',
      inputFields: [
        {
          name: 'status',
          controlType: 'select',
          options: [
            ['Open', 'open'],
            ['Paid', 'paid'],
          ],
          optional: true,
        },
      ],
      execute: async (ctx) => ({
        invoices: await ctx.get('invoices', ctx.input.status ? { status: ctx.input.status } : {}),
      }),
      outputFields: [
        {
          name: 'invoices',
          type: 'array',
          properties: [
            { name: 'id', type: 'integer' },
            { name: 'customer' },
            { name: 'total', type: 'number' },
            { name: 'status' },
          ],
        },
      ],
    },
    create_invoice: {
      title: 'Create invoice',
      inputFields: [{ name: 'customer' }, { name: 'total', type: 'number' }],
      execute: (ctx) => ctx.post('invoices', ctx.input),
    },
  },
});
