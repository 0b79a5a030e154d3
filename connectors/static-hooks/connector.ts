/**
 * PayHub: a static webhook. PayHub sends every account's notifications to the one URL
 * configured for the whole app; `webhookKeys` reads the account a delivery is for, and each
 * recipe's `webhookKey` is the account of its connection, so a delivery reaches exactly the
 * recipes of that account.
 */
import { defineConnector, defineTrigger } from '@weft/sdk';

interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: string;
}

const paymentEvent = defineTrigger({
  title: 'Payment event',
  description: 'Fires when a payment of your account succeeds, fails or is refunded.',
  inputFields: [
    {
      name: 'statuses',
      label: 'Statuses',
      type: 'array',
      of: 'string',
      optional: true,
      hint: 'Only these statuses (default: all)',
    },
  ] as const,
  webhookKey: (ctx) => ctx.connection.account_id,
  webhookNotification: (ctx) => {
    // Signed per account with the account's own secret: base64 HMAC-SHA256 of the body.
    if (
      !ctx.verifyHmac({
        secret: ctx.connection.webhook_secret,
        signatureHeader: 'x-payhub-signature',
        encoding: 'base64',
      })
    ) {
      ctx.error('The delivery is not signed with this account’s webhook secret');
    }
    const payment = ctx.payload.payment as Payment;
    const wanted = ctx.input.statuses;
    if (wanted?.length && !wanted.includes(payment.status)) return null;
    return { ...payment, event_id: ctx.payload.id, account_id: ctx.payload.account_id };
  },
  dedup: (event: { event_id: string }) => event.event_id,
  webhookResponseStatus: 202,
  outputFields: [
    { name: 'event_id' },
    { name: 'account_id' },
    { name: 'id' },
    { name: 'amount', type: 'integer', hint: 'In cents' },
    { name: 'currency' },
    { name: 'status' },
  ],
  sampleOutput: {
    event_id: 'evt_1',
    account_id: 'acct_1234',
    id: 'pay_1',
    amount: 4200,
    currency: 'EUR',
    status: 'succeeded',
  },
});

export default defineConnector({
  title: 'PayHub (static webhooks)',
  description: 'Payments; notifications for every account arrive at one URL.',
  connection: {
    fields: [
      { name: 'base_url', label: 'API URL', controlType: 'url' },
      { name: 'api_key', label: 'API key', controlType: 'password' },
      { name: 'account_id', label: 'Account ID' },
      { name: 'webhook_secret', label: 'Webhook secret', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => ctx.headers({ authorization: `Bearer ${ctx.connection.api_key}` }),
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('account'),
  // The account a delivery is for: PayHub names it in a header (and in the body, for old deliveries).
  webhookKeys: (ctx) => ctx.headers['x-payhub-account'] ?? ctx.payload?.account_id ?? '',
  triggers: { payment_event: paymentEvent },
});
