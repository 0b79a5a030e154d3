import { defineConnector } from '@weft/sdk';

const orderFields = [
  { name: 'id', type: 'integer' },
  { name: 'total', type: 'number' },
  { name: 'customer', type: 'object', properties: [{ name: 'email' }, { name: 'name' }] },
  { name: 'items', type: 'array', of: 'object', properties: [{ name: 'sku' }, { name: 'qty', type: 'integer' }] },
  { name: 'tags', type: 'array', of: 'string' },
  { name: 'meta', type: 'object' },
] as const;

export default defineConnector({
  title: 'Fixture shop',
  connection: {
    fields: [{ name: 'api_key', controlType: 'password' }],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
    baseUri: () => 'http://127.0.0.1:9/',
  },
  actions: {
    get_order: {
      inputFields: [{ name: 'id', type: 'integer' }],
      outputFields: () => [{ name: 'anything' }],
      execute: (ctx) => ctx.get(`orders/${ctx.input.id}`),
    },
  },
  triggers: {
    new_order: {
      inputFields: [{ name: 'since', type: 'date_time', optional: true }],
      outputFields: orderFields,
      poll: () => ({ events: [] }),
      dedup: (order) => String(order.id),
    },
    order_hook: {
      outputFields: orderFields,
      webhookSubscribe: (ctx) => ({ url: ctx.webhookUrl }),
      webhookUnsubscribe: () => undefined,
      webhookNotification: (ctx) => ctx.payload,
    },
    dynamic_order: {
      outputFields: () => [{ name: 'whatever' }],
      poll: () => ({ events: [] }),
    },
  },
});
