import { defineConnector } from '@weft/sdk';

/** A well-behaved neighbour: its webhooks must keep answering while another connector misbehaves. */
export default defineConnector({
  title: 'Calm (isolation fixture)',
  connection: { fields: [], authorization: { type: 'none' } },
  actions: {
    echo: {
      inputFields: [{ name: 'value' }],
      execute: (ctx) => ({ value: ctx.input.value }),
    },
  },
  triggers: {
    hook: { outputFields: [{ name: 'value' }], webhookNotification: (ctx) => ctx.payload },
  },
});
