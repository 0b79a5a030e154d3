import { defineConnector } from '@weft/sdk';

export default defineConnector({
  title: 'Fixture',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password', optional: true }],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        if (ctx.connection.api_key) ctx.headers({ 'X-Api-Key': ctx.connection.api_key });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    get_path: {
      inputFields: [{ name: 'path' }, { name: 'timeout_ms', type: 'integer', optional: true }],
      execute: (ctx) => {
        const req = ctx.get(ctx.input.path);
        return ctx.input.timeout_ms ? req.timeout(ctx.input.timeout_ms) : req;
      },
    },
    get_xml: {
      inputFields: [{ name: 'path' }],
      execute: (ctx) => ctx.get(ctx.input.path).responseFormatXml(),
    },
    add: {
      inputFields: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      execute: (ctx) => ({ sum: ctx.input.a + ctx.input.b }),
      outputFields: [{ name: 'sum', type: 'integer' }],
    },
    boom: {
      execute: () => {
        throw new Error('kaboom in the connector');
      },
    },
    refuse: {
      execute: (ctx) => ctx.error('The record is locked; unlock it in Acme first'),
    },
    leak: {
      execute: (ctx) => ({ echoed: `key is ${ctx.connection.api_key}` }),
    },
    steps: {
      execute: (ctx) => {
        const n = (ctx.continue as { n?: number } | undefined)?.n ?? 0;
        if (n < 2) ctx.reinvokeAfter({ seconds: 0, continue: { n: n + 1 } });
        return { steps: n + 1 };
      },
    },
  },
  triggers: {
    pages: {
      inputFields: [{ name: 'pages', type: 'integer', default: 3 }],
      poll: (ctx) => {
        const page = (ctx.closure as number | undefined) ?? 0;
        return { events: [{ id: page }], nextPoll: page + 1, canPollMore: page + 1 < ctx.input.pages };
      },
      dedup: (e) => String(e.id),
    },
  },
  pickLists: {
    colors: () => [
      ['Red', 'red'],
      ['Blue', 'blue'],
    ],
    sizes: (_ctx, args) => [[`Small ${args.color}`, 's']],
  },
  methods: {
    double: (_ctx, n: number) => n * 2,
  },
});
