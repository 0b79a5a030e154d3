import { defineConnector } from '@weft/sdk';
import { baseUrlConnection } from '../../base-url-connection.js';

/** A connector for the crash tests: a paged feed, a webhook, and actions against a local API. */
export default defineConnector({
  title: 'Relay (reliability fixture)',
  connection: baseUrlConnection,
  actions: {
    record: {
      inputFields: [{ name: 'id', type: 'integer' }, { name: 'stage' }],
      outputFields: [{ name: 'ok', type: 'boolean' }],
      execute: (ctx) => ctx.post('sink', { id: ctx.input.id, stage: ctx.input.stage }),
    },
  },
  triggers: {
    feed: {
      outputFields: [{ name: 'id', type: 'integer' }],
      poll: async (ctx) => {
        const after = (ctx.closure as { after?: number } | undefined)?.after ?? 0;
        const page = await ctx.get('items', { after, limit: 25 });
        const items = page.items as { id: number }[];
        return {
          events: items,
          nextPoll: items.length ? { after: items[items.length - 1].id } : null,
          canPollMore: page.more === true,
        };
      },
      dedup: (item) => String(item.id),
    },
    hook: {
      outputFields: [{ name: 'id', type: 'integer' }],
      webhookNotification: (ctx) => ctx.payload,
    },
  },
});
