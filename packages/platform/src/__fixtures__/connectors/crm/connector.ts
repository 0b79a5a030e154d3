import { defineConnector } from '@weft/sdk';

export default defineConnector({
  title: 'Fixture CRM',
  connection: {
    fields: [{ name: 'api_key', controlType: 'password' }],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
    baseUri: () => 'http://127.0.0.1:9/',
  },
  actions: {
    create_contact: {
      title: 'Create contact',
      inputFields: [{ name: 'email' }, { name: 'age', type: 'integer', optional: true }],
      outputFields: [{ name: 'id', type: 'integer' }],
      execute: (ctx) => ctx.post('contacts', ctx.input),
    },
    search: { inputFields: () => [], execute: () => [] },
  },
  triggers: {
    new_contact: { poll: () => ({ events: [] }), dedup: (e) => String(e.id) },
    hook: { webhookNotification: (ctx) => ctx.payload },
  },
});
