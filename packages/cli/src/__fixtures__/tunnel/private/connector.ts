import { defineConnector } from '@weft/sdk';

const MB = 1024 * 1024;

/** A private API reached through an on-premises agent: its connector code knows nothing of it. */
export default defineConnector({
  title: 'Private API (tunnel fixture)',
  secureTunnel: true,
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
    baseUri: (ctx) => ctx.connection.base_url as string,
    authorization: {
      type: 'api_key',
      apply: (ctx) => ctx.headers({ authorization: `Bearer ${ctx.connection.api_key}` }),
    },
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    hello: { execute: (ctx) => ctx.get('hello') },
    /** Gives up before an agent would: Weft's own deadline, shorter than the agent's wait. */
    hello_soon: { execute: (ctx) => ctx.get('slow').timeout(300) },
    upload: {
      inputFields: [{ name: 'mb', type: 'integer' }],
      execute: async (ctx) => {
        const size = Number(ctx.input.mb) * MB;
        async function* body() {
          const chunk = new Uint8Array(64 * 1024).fill(97);
          for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
        }
        return ctx.post('upload').requestBody(body());
      },
    },
    download: {
      inputFields: [{ name: 'mb', type: 'integer' }],
      execute: async (ctx) => {
        const stream = (await ctx
          .get('download', { bytes: Number(ctx.input.mb) * MB })
          .responseFormatStream()) as AsyncIterable<Uint8Array>;
        let bytes = 0;
        for await (const chunk of stream) bytes += chunk.length;
        return { bytes };
      },
    },
  },
  triggers: {
    new_items: {
      poll: async (ctx) => {
        const items = (await ctx.get('items')) as { id: string }[];
        return { events: items, canPollMore: false };
      },
      dedup: (item: { id: string }) => item.id,
    },
    hook: { webhookNotification: (ctx) => ctx.payload },
  },
  pickLists: {
    colours: async (ctx) => ((await ctx.get('colours')) as string[]).map((c) => [c, c]),
  },
});
