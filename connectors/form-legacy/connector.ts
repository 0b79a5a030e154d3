/**
 * Legacy Billing: an old-style HTTP API. Requests are form-url-encoded with bracketed nested
 * names (`customer[name]`, `lines[0][amount]`), authentication is HTTP Basic, answers are
 * form-encoded (`result=ok&invoice_id=...`) or plain `KEY: value` text, and failures often come
 * back as HTTP 200 with `result=error`, so the connector checks every answer itself.
 */
import { defineAction, defineConnector, defineFields } from '@weft/sdk';

/** A form-encoded answer as an object (`a=1&b=2` → `{ a: '1', b: '2' }`). */
function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(String(body ?? '').trim()));
}

/** A `KEY: value` text answer as an object with lower-case keys. */
function parseText(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of String(body ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

const CURRENCIES = [
  ['Euro', 'EUR'],
  ['US dollar', 'USD'],
  ['Pound sterling', 'GBP'],
] as const;

export default defineConnector({
  title: 'Legacy Billing',
  description: 'Invoices in Legacy Billing (form-encoded HTTP API with Basic authentication).',

  connection: {
    fields: [
      { name: 'base_url', label: 'Base URL', controlType: 'url', hint: 'e.g. https://billing.example.com/api' },
      { name: 'username' },
      { name: 'password', controlType: 'password' },
    ],
    authorization: {
      type: 'basic_auth',
      apply: (ctx) => {
        ctx.user(ctx.connection.username);
        ctx.password(ctx.connection.password);
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },

  test: async (ctx) => {
    const answer = await ctx.get('ping.php').responseFormatRaw();
    if (String(answer).trim() !== 'PONG') ctx.error(`Legacy Billing answered the ping with: ${answer}`);
    return { ok: true };
  },

  pickLists: {
    currencies: () => CURRENCIES,
  },

  actions: {
    create_invoice: defineAction({
      title: 'Create invoice',
      inputFields: defineFields([
        {
          name: 'customer',
          type: 'object',
          properties: [
            { name: 'name' },
            { name: 'email', controlType: 'email' },
            { name: 'vat_id', label: 'VAT ID', optional: true },
          ],
        },
        { name: 'currency', controlType: 'select', pickList: 'currencies', default: 'EUR', optional: true },
        { name: 'due_date', type: 'date' },
        {
          name: 'lines',
          type: 'array',
          of: 'object',
          properties: [
            { name: 'description' },
            { name: 'quantity', type: 'integer', default: 1, optional: true },
            { name: 'unit_price', type: 'number' },
          ],
        },
        { name: 'tags', type: 'array', of: 'string', optional: true },
        {
          name: 'send_email',
          type: 'boolean',
          default: false,
          optional: true,
          hint: 'Email the invoice to the customer',
        },
      ]),
      execute: async (ctx) => {
        const { customer, currency, due_date, lines, tags, send_email } = ctx.input;
        if (!lines.length) ctx.error('An invoice needs at least one line');
        const form: Record<string, unknown> = {
          customer: customer.vat_id ? customer : { name: customer.name, email: customer.email },
          currency: currency ?? 'EUR',
          due_date,
          lines: lines.map((line) => ({
            description: line.description,
            quantity: line.quantity ?? 1,
            unit_price: Number(line.unit_price).toFixed(2),
          })),
          // Legacy Billing reads flags as 1/0.
          send_email: send_email ? 1 : 0,
        };
        if (tags?.length) form.tags = tags;
        const answer = await ctx
          .post('invoice_create.php', form)
          .requestFormatWwwFormUrlencoded()
          .responseFormatRaw()
          .afterResponse((_code, body: string) => parseForm(body));
        // Failures arrive as HTTP 200 with result=error.
        if (answer.result !== 'ok')
          ctx.error(`Legacy Billing refused the invoice: ${answer.message ?? 'no reason given'}`);
        return {
          invoice_id: answer.invoice_id,
          total: Number(answer.total),
          currency: answer.currency,
          status: 'open',
        };
      },
      outputFields: [
        { name: 'invoice_id', label: 'Invoice ID' },
        { name: 'total', type: 'number' },
        { name: 'currency' },
        { name: 'status' },
      ],
    }),

    get_invoice: {
      title: 'Get invoice',
      inputFields: [{ name: 'invoice_id', label: 'Invoice ID' }],
      execute: async (ctx) => {
        const fields = await ctx
          .get('invoice_get.php', { id: ctx.input.invoice_id })
          .responseFormatRaw()
          .afterResponse((_code, body: string) => parseText(body));
        if (fields.error) ctx.error(`Legacy Billing: ${fields.error}`);
        const [amount, currency] = (fields.total ?? '').split(/\s+/);
        return {
          invoice_id: fields.invoice,
          status: fields.status,
          customer: fields.customer,
          total: Number(amount),
          currency,
          lines: Number(fields.lines ?? 0),
        };
      },
      outputFields: [
        { name: 'invoice_id', label: 'Invoice ID' },
        { name: 'status' },
        { name: 'customer' },
        { name: 'total', type: 'number' },
        { name: 'currency' },
        { name: 'lines', type: 'integer' },
      ],
    },

    void_invoice: {
      title: 'Void invoice',
      inputFields: [
        { name: 'invoice_id', label: 'Invoice ID' },
        { name: 'reason', optional: true },
      ],
      execute: async (ctx) => {
        const answer = await ctx
          .post('invoice_void.php', { id: ctx.input.invoice_id, reason: ctx.input.reason ?? '' })
          .requestFormatWwwFormUrlencoded()
          .responseFormatRaw()
          .afterResponse((_code, body: string) => parseForm(body));
        if (answer.result !== 'ok')
          ctx.error(`Legacy Billing could not void ${ctx.input.invoice_id}: ${answer.message}`);
        return { invoice_id: ctx.input.invoice_id, status: 'void' };
      },
      outputFields: [{ name: 'invoice_id', label: 'Invoice ID' }, { name: 'status' }],
    },
  },
});
