import { defineConnector } from '@weft/sdk';

/** A connector whose action ends the whole process, as a buggy connector might. */
export default defineConnector({
  title: 'Exits (crash-loop fixture)',
  connection: {
    fields: [{ name: 'note', optional: true }],
    authorization: { type: 'none' },
  },
  actions: {
    exit: {
      inputFields: [{ name: 'id', type: 'integer' }],
      outputFields: [{ name: 'ok', type: 'boolean' }],
      execute: () => process.exit(3),
    },
  },
  triggers: {
    hook: {
      outputFields: [{ name: 'id', type: 'integer' }],
      webhookNotification: (ctx) => ctx.payload,
    },
  },
});
