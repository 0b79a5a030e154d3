import { defineConnector } from '@weft/sdk';
import { baseUrlConnection } from '../base-url-connection.js';

/** Shapes found porting real Workato connectors: file downloads, a forgotten await, record dedup. */
export default defineConnector({
  title: 'Real shapes',
  connection: baseUrlConnection,
  test: (ctx) => ctx.get('me'),
  actions: {
    download_file: {
      inputFields: [{ name: 'id' }],
      execute: async (ctx) => (await ctx.get(`files/${ctx.input.id}`).responseFormatRaw()) as unknown,
    },
    file_bytes: {
      execute: () => new Uint8Array([37, 80, 68, 70]),
    },
    attachment: {
      execute: () => ({ name: 'a.pdf', content: Buffer.from('%PDF') }),
    },
    create_item: {
      inputFields: [{ name: 'name' }],
      execute: (ctx) => {
        // A forgotten await: the owner's id is a Promise.
        const ownerId = ctx.get('me').then((me: { id: number }) => me.id);
        return ctx.post('items', { name: ctx.input.name, owner: { ids: [ownerId] } });
      },
    },
  },
  triggers: {
    new_record: {
      poll: async (ctx) => ({ events: [], nextPoll: ctx.closure ?? null, canPollMore: false }),
      dedup: (record: { id: number; updated_at: string }) => `${record.id}@${record.updated_at}`,
    },
  },
  pickLists: {
    boards: (_ctx, args: { project?: string }) => [[`Board of ${args.project}`, `${args.project}-1`]],
  },
});
