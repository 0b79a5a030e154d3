import { defineConnector } from '@weft/sdk';

/** For the isolated runtime's tests: a large stream, logs, HTTP exchanges and a resume URL. */
export default defineConnector({
  title: 'Streamer (isolation fixture)',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'x-api-key': ctx.connection.api_key }) },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  actions: {
    call: {
      execute: async (ctx) => {
        ctx.log.info('calling the API');
        return ctx.get('thing');
      },
    },
    resume_url: { execute: (ctx) => ({ url: ctx.resumeUrl }) },
    no_resume_url: { execute: () => ({ ok: true }) },
  },
  streams: {
    /** `args.bytes` bytes (default 50 MiB); each chunk starts with the time it was made (a float64). */
    big: (ctx, from, to) => {
      const total = Number(ctx.args.bytes ?? 50 * 1024 * 1024);
      const end = Math.min(to + 1, total);
      const chunk = Buffer.alloc(end - from, (from / (1024 * 1024)) % 251);
      chunk.writeDoubleLE(performance.timeOrigin + performance.now(), 0);
      return { data: chunk, eof: end >= total };
    },
  },
});
