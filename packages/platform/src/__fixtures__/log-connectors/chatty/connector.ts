import { defineConnector } from '@weft/sdk';

/**
 * A connector whose actions log with `ctx.log`: `talk` logs a few lines (one with its
 * connection's secret, one with data, one checkpoint), `flood` logs `count` lines; the
 * `ticks` trigger logs one line per poll.
 */
export default defineConnector({
  title: 'Chatty',
  connection: {
    fields: [{ name: 'token', controlType: 'password' }],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Token': ctx.connection.token }) },
  },
  triggers: {
    ticks: {
      outputFields: [{ name: 'n', type: 'integer' }],
      poll: (ctx) => {
        ctx.log.warn(`polling with token ${ctx.connection.token}`);
        return { events: [] };
      },
    },
  },
  actions: {
    talk: {
      inputFields: [],
      outputFields: [{ name: 'ok', type: 'boolean' }],
      execute: (ctx) => {
        ctx.log.info('starting');
        ctx.log.warn(`calling with token ${ctx.connection.token}`);
        ctx.log.debug('details', { token: ctx.connection.token, page: 2 });
        ctx.checkpoint('halfway', { done: 1 });
        ctx.log.error('x'.repeat(5000));
        return { ok: true };
      },
    },
    flood: {
      inputFields: [{ name: 'count', type: 'integer' }],
      outputFields: [{ name: 'ok', type: 'boolean' }],
      execute: (ctx) => {
        for (let i = 0; i < Number(ctx.input.count); i++) ctx.log.info(`line ${i}`);
        return { ok: true };
      },
    },
  },
});
