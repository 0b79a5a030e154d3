import { defineConnector } from '@weft/sdk';

/**
 * The job engine's test connector, against the local API of `__fixtures__/jobs-harness.ts`:
 * actions that record their calls, fail on demand, return long lists, suspend (multistep) or
 * wait for a resume call; and a polling trigger with a cursor.
 */
export default defineConnector({
  title: 'Fixture lab',
  connection: {
    fields: [{ name: 'base_url', controlType: 'url' }],
    authorization: { type: 'none' },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  actions: {
    record: {
      inputFields: [
        { name: 'key' },
        { name: 'value', optional: true },
        { name: 'delay_ms', type: 'integer', optional: true },
      ],
      outputFields: () => [],
      execute: (ctx) => ctx.post('record', ctx.input),
    },
    flaky: {
      inputFields: [
        { name: 'key' },
        { name: 'failures', type: 'integer' },
        { name: 'status', type: 'integer', optional: true },
      ],
      outputFields: () => [],
      execute: (ctx) => ctx.post('flaky', ctx.input),
    },
    fail: {
      inputFields: [{ name: 'message' }],
      execute: (ctx) => ctx.error(String(ctx.input.message)),
    },
    list: {
      inputFields: [
        { name: 'count', type: 'integer' },
        { name: 'items', type: 'array', of: 'object', optional: true },
      ],
      summarizeInput: ['items'],
      summarizeOutput: ['records', 'page.rows'],
      outputFields: () => [],
      execute: (ctx) => {
        const count = Number(ctx.input.count);
        const range = Array.from({ length: count }, (_, i) => i);
        return { records: range.map((i) => ({ i })), page: { rows: range }, total: count };
      },
    },
    multistep: {
      inputFields: [{ name: 'rounds', type: 'integer' }],
      outputFields: () => [],
      execute: (ctx) => {
        const n = (ctx.continue as { n?: number } | undefined)?.n ?? 0;
        if (n < Number(ctx.input.rounds)) ctx.reinvokeAfter({ seconds: 0, continue: { n: n + 1 } });
        return { rounds: n, done: true };
      },
    },
    approval: {
      inputFields: [{ name: 'key' }, { name: 'timeout_seconds', type: 'number', optional: true }],
      outputFields: () => [],
      execute: async (ctx) => {
        if (ctx.resume) return { resume: ctx.resume, continue: ctx.continue };
        await ctx.post('approvals', { key: ctx.input.key, url: ctx.resumeUrl });
        return ctx.waitForResume({
          timeoutSeconds: Number(ctx.input.timeout_seconds ?? 60),
          continue: { key: ctx.input.key },
        });
      },
    },
  },
  triggers: {
    /** Never brings events: jobs are made by the tests. */
    manual: {
      outputFields: () => [],
      poll: () => ({ events: [] }),
    },
    new_item: {
      inputFields: [{ name: 'limit', type: 'integer', optional: true }],
      outputFields: () => [],
      poll: async (ctx) => {
        const after = (ctx.closure as { after?: number } | undefined)?.after ?? 0;
        const res = await ctx.get('items', { after, limit: ctx.input.limit ?? 2 });
        return {
          events: res.items,
          nextPoll: res.items.length ? { after: res.next } : null,
          canPollMore: res.more,
        };
      },
      dedup: (item) => String(item.id),
    },
  },
});
