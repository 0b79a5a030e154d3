import { defineAction, defineConnector } from '@weft/sdk';

export default defineConnector({
  title: '__TITLE__',

  connection: {
    fields: [
      { name: 'base_url', label: 'Base URL', controlType: 'url', hint: 'e.g. https://api.example.com/v1' },
      { name: 'api_key', label: 'API key', controlType: 'password', optional: true },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        if (ctx.connection.api_key) ctx.headers({ Authorization: `Bearer ${ctx.connection.api_key}` });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },

  test: async (ctx) => ctx.get('items', { limit: 1 }),

  actions: {
    // defineAction types ctx.input from the literal inputFields.
    greet: defineAction({
      title: 'Greet someone',
      inputFields: [
        { name: 'name', hint: 'Who to greet' },
        { name: 'times', type: 'integer', optional: true, default: 1 },
      ],
      execute: (ctx) => ({
        greeting: Array(ctx.input.times ?? 1)
          .fill(`Hello, ${ctx.input.name}!`)
          .join(' '),
      }),
      outputFields: [{ name: 'greeting' }],
    }),

    get_item: defineAction({
      title: 'Get an item',
      inputFields: [{ name: 'id', type: 'integer' }],
      execute: (ctx) => ctx.get(`items/${ctx.input.id}`),
      outputFields: [{ name: 'id', type: 'integer' }, { name: 'name' }],
    }),
  },
});
