import { defineConnector } from '@weft/sdk';

/** Webhook triggers for `weft listen` and `weft exec` tests. */
export default defineConnector({
  title: 'Hooks fixture',
  connection: {
    fields: [
      { name: 'base_url' },
      { name: 'api_key', controlType: 'password', optional: true },
      { name: 'webhook_secret', controlType: 'password', optional: true },
      { name: 'account_id', optional: true },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        if (ctx.connection.api_key) ctx.headers({ 'X-Api-Key': ctx.connection.api_key });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  webhookKeys: (ctx) => ctx.headers['x-account-id'] ?? ctx.params.account ?? '',
  triggers: {
    issue: {
      inputFields: [{ name: 'project', optional: true }],
      webhookSubscribe: async (ctx) => {
        const hook = await ctx.post('hooks', { url: ctx.webhookUrl, project: ctx.input.project ?? 'all' });
        return { id: hook.id };
      },
      webhookUnsubscribe: async (ctx) => ctx.delete(`hooks/${ctx.subscription.id}`),
      webhookRefresh: async (ctx) => ctx.post(`hooks/${ctx.subscription.id}/renew`),
      webhookNotification: (ctx) => {
        if (ctx.payload.challenge) return null;
        if (
          !ctx.verifyHmac({ secret: ctx.connection.webhook_secret, signatureHeader: 'x-signature', prefix: 'sha256=' })
        ) {
          ctx.error('Invalid webhook signature');
        }
        return ctx.payload.issues ?? ctx.payload.issue;
      },
      webhookResponseBody: (ctx) => (ctx.payload.challenge ? { challenge: ctx.payload.challenge } : undefined),
      dedup: (issue: { id: number; updated_at: string }) => `${issue.id}@${issue.updated_at}`,
    },
    account_event: {
      webhookKey: (ctx) => ctx.connection.account_id,
      webhookNotification: (ctx) => ({ ...ctx.payload, account: ctx.headers['x-account-id'] ?? ctx.params.account }),
      webhookResponseStatus: 202,
    },
    raw_text: {
      webhookPayloadType: 'raw',
      webhookNotification: (ctx) => ({ text: ctx.payload, length: ctx.rawBody?.length }),
    },
  },
});
