import { defineConnector } from '@weft/sdk';

/**
 * Shaped like Kizen's connector: the object type is a config field, the input fields depend on
 * it, and pick lists depend on other fields (`pickListParams`) or need arguments.
 */
export default defineConnector({
  title: 'Config driven',
  connection: {
    fields: [{ name: 'base_url' }],
    authorization: { type: 'none' },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    create_record: {
      configFields: [{ name: 'object_type', controlType: 'select', pickList: 'object_types' }],
      inputFields: async (ctx) =>
        ctx.configFields.object_type === 'deals'
          ? [
              { name: 'pipeline', controlType: 'select', pickList: 'pipelines' },
              { name: 'stage', controlType: 'select', pickList: 'stages', pickListParams: { pipeline: 'pipeline' } },
              { name: 'owner', controlType: 'select', pickList: 'users' },
            ]
          : ((await ctx.get(`objects/${ctx.configFields.object_type}/fields`)) as { name: string }[]),
      execute: (ctx) => ctx.post(`objects/${ctx.configFields.object_type}/records`, ctx.input),
    },
  },
  pickLists: {
    object_types: () => [
      ['Contacts', 'contacts'],
      ['Deals', 'deals'],
    ],
    pipelines: () => [
      ['Sales', 'p-1'],
      ['Support', 'p-2'],
    ],
    stages: (_ctx, args: { pipeline?: string }) => {
      if (!args.pipeline) throw new Error('stages need a pipeline');
      return [[`First stage of ${args.pipeline}`, `${args.pipeline}-s1`]];
    },
    users: (_ctx, args: { team?: string }) => {
      if (!args.team) throw new Error('users need a team');
      return [[`Lead of ${args.team}`, `${args.team}-lead`]];
    },
  },
});
