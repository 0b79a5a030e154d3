import { defineConnector } from '@weft/sdk';

/** A connector without a connection. */
export default defineConnector({
  title: 'Fixture chat',
  actions: {
    post_message: {
      inputFields: [{ name: 'text' }, { name: 'channel', optional: true }],
      outputFields: [{ name: 'ts' }, { name: 'channel' }],
      execute: (ctx) => ({ ts: '1', channel: ctx.input.channel ?? 'general' }),
    },
  },
  triggers: {
    mention: {
      outputFields: [{ name: 'text' }, { name: 'user' }],
      webhookNotification: (ctx) => ctx.payload,
      webhookKey: () => 'T1',
    },
  },
  webhookKeys: (ctx) => String(ctx.payload?.team ?? ''),
});
