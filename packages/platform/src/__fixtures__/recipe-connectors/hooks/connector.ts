import { defineConnector } from '@weft/sdk';

/**
 * Webhooks of every kind, for the ingress and subscription tests: a signed recipe webhook with
 * a handshake, a static webhook routed by account, dynamic webhooks registered with a fake app
 * (`app_url`), and a raw-body trigger.
 */
const dynamic = {
  inputFields: [
    { name: 'topic', optional: true },
    { name: 'expires_in', type: 'integer', optional: true },
  ],
  outputFields: [{ name: 'id' }, { name: 'type' }],
  webhookSubscribe: async (ctx: any) => {
    const hook = await ctx.post('hooks', {
      url: ctx.webhookUrl,
      topic: ctx.input.topic,
      expires_in: ctx.input.expires_in,
    });
    return hook.expires_at ? { id: hook.id, expires_at: hook.expires_at } : { id: hook.id };
  },
  webhookRefresh: async (ctx: any) => {
    const hook = await ctx.post(`hooks/${ctx.subscription.id}/renew`);
    return hook.expires_at ? { id: hook.id, expires_at: hook.expires_at } : { id: hook.id };
  },
  webhookUnsubscribe: async (ctx: any) => {
    await ctx.delete(`hooks/${ctx.subscription.id}`);
  },
  webhookNotification: (ctx: any) =>
    ctx.payload.type === 'verify' ? null : { ...ctx.payload, hook: ctx.subscription.id },
  webhookResponseBody: (ctx: any) =>
    ctx.payload.type === 'verify' ? { challenge: ctx.payload.challenge } : { ok: true },
  dedup: (event: any) => String(event.id),
} as const;

export default defineConnector({
  title: 'Fixture hooks',
  connection: {
    fields: [
      { name: 'app_url', optional: true },
      { name: 'account', optional: true },
      { name: 'signing_secret', controlType: 'password', optional: true },
    ],
    authorization: { type: 'none' },
    baseUri: (ctx) => `${ctx.connection.app_url}/`,
  },
  webhookKeys: (ctx) => String(ctx.headers['x-hooks-account'] ?? ctx.payload?.account ?? ''),
  triggers: {
    signed_event: {
      outputFields: [{ name: 'id' }, { name: 'total', type: 'number' }],
      webhookNotification: (ctx) => {
        // Handshakes: `GET ?challenge=...`, or a JSON challenge.
        if (ctx.params.challenge || ctx.payload.type === 'challenge') return null;
        if (!ctx.verifyHmac({ secret: ctx.connection.signing_secret, signatureHeader: 'x-hooks-signature' })) {
          ctx.error('The delivery is not signed with this connection’s secret');
        }
        return ctx.payload.events ?? ctx.payload;
      },
      webhookResponseStatus: (ctx) => (ctx.params.challenge || ctx.payload.type === 'challenge' ? 200 : 202),
      webhookResponseBody: (ctx) =>
        ctx.params.challenge ?? (ctx.payload.type === 'challenge' ? { challenge: ctx.payload.challenge } : undefined),
      webhookResponseHeaders: { 'x-hooks-ack': 'yes' },
      dedup: (event) => String(event.id),
    },
    account_event: {
      outputFields: [{ name: 'id' }, { name: 'account' }, { name: 'received_by' }],
      webhookKey: (ctx) => ctx.connection.account,
      webhookNotification: (ctx) => ({ ...ctx.payload, received_by: ctx.connection.account }),
      dedup: (event) => String(event.id),
    },
    app_event: dynamic,
    renewed_event: { ...dynamic, webhookRefreshSeconds: 1 },
    // The app gives a signing secret only when the webhook is created (as ClickUp does): it is
    // kept in the subscription, and every delivery is checked against it.
    secret_event: {
      outputFields: [{ name: 'id' }],
      webhookSubscribe: async (ctx: any) => {
        const hook = await ctx.post('hooks', { url: ctx.webhookUrl });
        return { id: hook.id, secret: hook.secret };
      },
      webhookUnsubscribe: async (ctx: any) => {
        await ctx.delete(`hooks/${ctx.subscription.id}`);
      },
      webhookNotification: (ctx: any) => {
        if (!ctx.verifyHmac({ secret: ctx.subscription.secret, signatureHeader: 'x-hooks-signature' })) {
          ctx.error('The delivery is not signed with the secret of this webhook');
        }
        return ctx.payload;
      },
      dedup: (event: any) => String(event.id),
    },
    raw_event: {
      outputFields: [{ name: 'text' }, { name: 'type' }],
      webhookPayloadType: 'raw',
      webhookNotification: (ctx) => ({ text: ctx.payload, type: ctx.headers['content-type'] }),
    },
  },
});
