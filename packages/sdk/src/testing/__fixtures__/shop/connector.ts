import { defineConnector } from '@weft/sdk';

/** A small shop API for the testing toolkit's own tests: session login, key in the query, pages, bytes. */
export default defineConnector({
  title: 'Test shop',
  connection: {
    fields: [
      { name: 'base_url' },
      { name: 'username' },
      { name: 'password', controlType: 'password' },
      { name: 'api_key', controlType: 'password' },
    ],
    authorization: {
      type: 'custom_auth',
      acquire: async (ctx) => {
        const { session_id } = await ctx.post('session', {
          username: ctx.connection.username,
          password: ctx.connection.password,
        });
        return { session_id };
      },
      refreshOn: [401],
      apply: (ctx) => {
        if (ctx.connection.session_id) ctx.headers({ 'X-Session-Id': ctx.connection.session_id });
        ctx.params({ api_key: ctx.connection.api_key });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    create_order: {
      inputFields: [{ name: 'sku' }, { name: 'quantity', type: 'integer' }],
      execute: (ctx) =>
        ctx.post('orders', { sku: ctx.input.sku, quantity: ctx.input.quantity, at: ctx.now().toISOString() }),
      outputFields: [
        { name: 'id', type: 'integer' },
        { name: 'sku' },
        { name: 'quantity', type: 'integer' },
        { name: 'at' },
      ],
    },
    next_ticket: {
      execute: (ctx) => ctx.post('tickets', {}),
      outputFields: [{ name: 'ticket', type: 'integer' }],
    },
    whoami: {
      execute: (ctx) => ctx.get('me'),
    },
    upload: {
      inputFields: [{ name: 'hex' }],
      execute: async (ctx) => {
        const bytes: Uint8Array = await ctx
          .post('blobs')
          .requestBody(Buffer.from(ctx.input.hex, 'hex'))
          .headers({ 'Content-Type': 'application/octet-stream' })
          .responseFormatRaw({ as: 'bytes' });
        return { hex: Buffer.from(bytes).toString('hex') };
      },
    },
    export_report: {
      execute: async (ctx) => {
        const state = ctx.continue as { step: number } | undefined;
        if (!state) return ctx.reinvokeAfter({ seconds: 60, continue: { step: 2 } });
        return { done: true, step: state.step };
      },
    },
    tagged: {
      inputFields: [{ name: 'tag' }],
      execute: (ctx) => ctx.get('tagged').headers({ 'X-Tag': ctx.input.tag }),
    },
  },
  triggers: {
    order_webhook: {
      webhookNotification: (ctx) => ({
        id: ctx.payload.id,
        signature: ctx.headers['x-signature'],
        ...(ctx.subscription ? { hook: ctx.subscription.id } : {}),
      }),
      outputFields: [{ name: 'id', type: 'integer' }, { name: 'signature' }, { name: 'hook', optional: true }],
      dedup: (event: { id: number }) => String(event.id),
    },
    new_orders: {
      poll: async (ctx) => {
        const page = ctx.closure?.page ?? 1;
        const body = await ctx.get('orders', { page });
        return {
          events: body.orders,
          nextPoll: { page: body.next_page ?? page },
          canPollMore: body.next_page !== null,
        };
      },
      dedup: (order: { id: number }) => `order-${order.id}`,
      outputFields: [{ name: 'id', type: 'integer' }, { name: 'sku' }],
    },
  },
});
