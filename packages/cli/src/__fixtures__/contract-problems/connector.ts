import { defineConnector } from '@weft/sdk';

/** A connector with several contract problems at once (for checkConnector's tests). */
export default defineConnector({
  title: 'Broken contracts',
  connection: {
    fields: [{ name: 'base_url' }],
    baseUri: (ctx) => ctx.connection.base_url,
  },
  pickLists: {
    good: () => [['One', 1]],
    flat: () => ['a', 'b'] as never,
  },
  actions: {
    wrong_sample: {
      execute: () => ({ id: 1 }),
      outputFields: [
        { name: 'id', type: 'integer' },
        { name: 'tags', type: 'array', of: 'string' },
      ],
      sampleOutput: { id: 'one', tags: 'red' },
    },
    dynamic: {
      inputFields: async (ctx) => {
        const { fields } = await ctx.get('fields');
        return fields;
      },
      execute: () => ({}),
    },
    recorded: {
      execute: () => ({ id: 1 }),
      outputFields: [{ name: 'id', type: 'integer' }],
    },
  },
  triggers: {
    no_dedup: {
      poll: () => ({ events: [] }),
      outputFields: [{ name: 'id', type: 'integer' }],
    },
  },
});
