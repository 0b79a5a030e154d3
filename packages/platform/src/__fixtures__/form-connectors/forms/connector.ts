import { defineConnector } from '@weft/sdk';

/**
 * Forms: dynamic input fields that depend on a config field, a dependent pick list and a tree
 * pick list, all read from the API at `base_url` (a local test server).
 */
export default defineConnector({
  title: 'Fixture forms',
  connection: {
    fields: [
      { name: 'base_url', controlType: 'url' },
      { name: 'api_key', controlType: 'password' },
    ],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  actions: {
    create_record: {
      configFields: [{ name: 'object', controlType: 'select', pickList: 'objects' }],
      inputFields: async (ctx) => {
        const described = await ctx.get(`objects/${ctx.configFields.object}/fields`);
        return [
          ...described.fields.map((f: { name: string; type: string }) => ({ name: f.name, type: f.type })),
          { name: 'country', controlType: 'select', pickList: 'countries', optional: true },
          {
            name: 'state',
            controlType: 'select',
            pickList: 'states',
            pickListParams: { country: 'country' },
            ngIf: 'input.country != null',
            optional: true,
            toggleHint: 'Pick a state',
            toggleField: { name: 'state', type: 'string', controlType: 'text', toggleHint: 'Type a state code' },
          },
        ];
      },
      outputFields: [{ name: 'id' }],
      execute: (ctx) => ctx.post(`objects/${ctx.input.object}`, ctx.input),
    },
  },
  triggers: {
    new_record: {
      configFields: [{ name: 'object' }],
      outputFields: (ctx) => [{ name: 'id' }, { name: `${ctx.configFields.object}_name` }],
      poll: () => ({ events: [] }),
    },
  },
  pickLists: {
    objects: async (ctx) => (await ctx.get('objects')).map((o: { label: string; id: string }) => [o.label, o.id]),
    countries: () => [
      ['France', 'FR'],
      ['United States', 'US'],
    ],
    states: async (ctx, args) => {
      const states = await ctx.get('states', { country: args.country });
      return states.map((s: { name: string; code: string }) => [s.name, s.code]);
    },
    folders: (_ctx, args) =>
      args.parentId === undefined
        ? [['Root', 'root', 'root', true]]
        : [[`Child of ${args.parentId}`, `${args.parentId}/child`, `${args.parentId}/child`, false]],
    failing: (ctx) => ctx.error(`The API refused key ${ctx.connection.api_key}`),
  },
});
