import { defineConnector } from '@weft/sdk';

/** A CRM-like connector for the MCP tests: static, nested and dynamic fields, pick lists, errors. */
export default defineConnector({
  title: 'Acme CRM',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        ctx.headers({ 'X-Api-Key': ctx.connection.api_key });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    create_contact: {
      title: 'Create contact',
      description: 'Creates a contact in Acme CRM.',
      help: 'The e-mail address must be unique.',
      inputFields: [
        { name: 'email', hint: 'Their e-mail address' },
        { name: 'age', type: 'integer', optional: true },
        { name: 'status', controlType: 'select', pickList: 'statuses', optional: true },
        {
          name: 'priority',
          controlType: 'select',
          pickList: [
            ['Low', 'low'],
            ['High', 'high'],
          ],
          optional: true,
        },
        { name: 'tags', type: 'array', of: 'string', optional: true },
        {
          name: 'address',
          type: 'object',
          optional: true,
          properties: [{ name: 'city' }, { name: 'zip', optional: true }],
        },
        { name: 'x-source', optional: true, hint: 'A field name is not an editor hint' },
      ],
      execute: (ctx) => {
        // Console output must not reach stdout, where `weft mcp` speaks MCP.
        console.log('creating a contact');
        return ctx.post('contacts', ctx.input);
      },
    },
    find_records: {
      title: 'Find records',
      description: () => 'Finds records by the fields the account defines.',
      help: () => ({ body: 'Gives the first 100 records.', learnMoreUrl: 'https://acme.example/help/find' }),
      // Dynamic: the account's custom fields, read with the connection.
      inputFields: async (ctx) => {
        const custom = (await ctx.get('custom_fields')) as { name: string; type: 'string' | 'integer' }[];
        return custom.map((field) => ({ name: field.name, type: field.type, optional: true }));
      },
      execute: (ctx) => ctx.get('records').params(ctx.input),
    },
    rejected: {
      description: 'Always refused by the API.',
      execute: (ctx) => ctx.get('refuse'),
    },
    old_action: {
      deprecated: true,
      execute: () => ({}),
    },
  },
  pickLists: {
    statuses: () => [
      ['Active', 'active'],
      ['Archived', 'archived'],
    ],
  },
});
