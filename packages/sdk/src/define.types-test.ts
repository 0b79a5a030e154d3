// Compile-time checks of ctx.input inference: the build fails if inference regresses.
import { defineAction, defineConnector, defineFields, defineTrigger } from './define.js';
import type { AuthType } from './model/auth.js';
import type { Authorization, InputOf, WebhookContext } from './types.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <A, B>(_: Equals<A, B>) => {};

const contactFields = defineFields([
  { name: 'email' },
  { name: 'age', type: 'integer', optional: true },
  { name: 'tags', type: 'array', of: 'string' },
  { name: 'lines', type: 'array', properties: [{ name: 'qty', type: 'number' }] },
  { name: 'address', type: 'object', properties: [{ name: 'city' }] },
  { name: 'vip', type: 'boolean', optional: true },
]);
type Contact = InputOf<typeof contactFields>;
expectType<Contact['email'], string>(true);
expectType<Contact['age'], number | undefined>(true);
expectType<Contact['tags'], string[]>(true);
expectType<Contact['lines'][number]['qty'], number>(true);
expectType<Contact['address']['city'], string>(true);
expectType<Contact['vip'], boolean | undefined>(true);
expectType<InputOf<() => []>, Record<string, any>>(true);

defineConnector({
  title: 'x',
  actions: {
    separate: defineAction({
      inputFields: [
        { name: 'age', type: 'integer' },
        { name: 'nick', optional: true },
      ],
      execute: (ctx) => {
        expectType<typeof ctx.input.age, number>(true);
        expectType<typeof ctx.input.nick, string | undefined>(true);
        // @ts-expect-error not a declared field
        ctx.input.other;
        return null;
      },
    }),
    computed: defineAction({
      inputFields: () => [],
      execute: (ctx) => {
        expectType<typeof ctx.input, Record<string, any>>(true);
        return null;
      },
    }),
    inline: { execute: (ctx) => ctx.input.anything },
  },
  triggers: {
    t: defineTrigger({
      inputFields: [{ name: 'since', type: 'date_time' }],
      poll: (ctx) => {
        expectType<typeof ctx.input.since, string>(true);
        return { events: [] };
      },
    }),
  },
});

// The authorization types are the model's closed set: one per `AUTH_TYPES` entry, no others.
expectType<Authorization['type'], AuthType>(true);

// Contexts of the lambdas that had `any`: typed now, with loose defaults the author may replace.
interface Ticket {
  id: number;
  updated_at: string;
}
defineConnector({
  title: 'typed contexts',
  connection: {
    authorization: {
      type: 'oauth2',
      acquire: (ctx) => {
        expectType<typeof ctx.code, string | undefined>(true);
        expectType<typeof ctx.redirectUri, string | undefined>(true);
        expectType<typeof ctx.codeVerifier, string | undefined>(true);
        return {};
      },
      refresh: (ctx) => {
        expectType<typeof ctx.refreshToken, string | undefined>(true);
        return {};
      },
    },
  },
  triggers: {
    typed: defineTrigger({
      dedup: (ticket: Ticket) => `${ticket.id}@${ticket.updated_at}`,
      webhookNotification: (ctx) => ctx.payload.anything,
    }),
    loose: defineTrigger({ dedup: (record) => String(record.id) }),
  },
});
const typedHook = (
  ctx: WebhookContext<Record<string, never>, Record<string, never>, { events: Ticket[] }, { id: string }>,
) => {
  expectType<typeof ctx.payload.events, Ticket[]>(true);
  expectType<typeof ctx.subscription.id, string>(true);
};
void typedHook;

// Static-webhook keys may call the API (the recipe's key is the account id `GET me` answers),
// and a number is a key too: the runtime awaits both lambdas and turns numbers into strings.
defineConnector({
  title: 'keys',
  webhookKeys: async (ctx) => Number(ctx.payload.user_id),
  triggers: {
    hook: defineTrigger({
      webhookKey: async (ctx) => (await ctx.get<{ id: string }>('me')).id,
      webhookNotification: (ctx) => ctx.payload,
    }),
    numbered: { webhookKey: (ctx) => Number(ctx.connection.account), webhookNotification: (ctx) => ctx.payload },
  },
});
