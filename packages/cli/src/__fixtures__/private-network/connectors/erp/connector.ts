import { defineConnector } from '@weft/sdk';

interface Item {
  id: number;
  name?: string;
}

/**
 * The private API of the private-network tests (private-api.mjs), as a connector whose
 * connections reach it through an agent group: its code knows nothing of the agent.
 */
export default defineConnector({
  title: 'ERP (private network fixture)',
  secureTunnel: true,
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
    baseUri: (ctx) => ctx.connection.base_url as string,
    authorization: {
      type: 'api_key',
      apply: (ctx) => ctx.headers({ authorization: `Bearer ${ctx.connection.api_key}` }),
    },
  },
  test: (ctx) => ctx.get('hello'),
  actions: {
    create_item: {
      inputFields: [{ name: 'name' }],
      execute: (ctx) => ctx.post('items', { name: ctx.input.name }),
    },
    hello: { execute: (ctx) => ctx.get('hello') },
  },
  triggers: {
    new_items: {
      poll: async (ctx) => {
        const since = Number((ctx.closure as { since?: number } | undefined)?.since ?? 0);
        const { items } = (await ctx.get('items', { since })) as { items: Item[] };
        const last = items.at(-1);
        return { events: items, nextPoll: last ? { since: last.id } : ctx.closure, canPollMore: false };
      },
      dedup: (item: Item) => String(item.id),
    },
  },
});
