/**
 * Shaped like the Kizen connector: header auth, and schemas driven by a config field (the
 * chosen object) through an object definition that reads the object's fields from the API.
 * `description` and `help` are functions, as in the Workato original. The SDK's executor tests
 * import it directly; the platform's and the CLI's tests load it from
 * packages/platform/src/__fixtures__/real-connectors/kizen, which re-exports it.
 */
import { defineConnector } from '../../define.js';
import type { Field } from '../../types.js';

const names = (fields: readonly Field[] | undefined) => (fields ?? []).map((f) => f.name);

export const kizen = defineConnector({
  title: 'Kizen-like',
  connection: {
    fields: [
      { name: 'base_url', controlType: 'url' },
      { name: 'user_id' },
      { name: 'business_id' },
      { name: 'api_key', controlType: 'password' },
    ],
    authorization: {
      type: 'custom_auth',
      apply: (ctx) =>
        ctx.headers({
          'X-API-KEY': ctx.connection.api_key,
          'X-USER-ID': ctx.connection.user_id,
          'X-BUSINESS-ID': ctx.connection.business_id,
        }),
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  objectDefinitions: {
    record: {
      fields: async (ctx) => {
        const object = ctx.configFields.object;
        if (!object) return [{ name: 'id' }];
        const described = await ctx.get(`custom-objects/${object}/fields`);
        return [{ name: 'id' }, ...described.fields.map((f: { name: string }) => ({ name: f.name, optional: true }))];
      },
    },
  },
  actions: {
    create_record: {
      description: (ctx) => `Create a <b>${ctx.configFields.object ?? 'record'}</b> in Kizen`,
      help: () => ({ body: 'Creates one record of the chosen object.', learnMoreUrl: 'https://kizen.example/docs' }),
      configFields: [{ name: 'object', controlType: 'select', pickList: 'objects' }],
      inputFields: (ctx) => ctx.objectDefinitions.record,
      outputFields: (ctx) => ctx.objectDefinitions.record,
      execute: (ctx) => ({
        input: ctx.input,
        extendedInputSchema: names(ctx.extendedInputSchema),
        extendedOutputSchema: names(ctx.extendedOutputSchema),
      }),
    },
    broken_help: {
      description: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'label')");
      },
      help: 'Plain help text',
      execute: () => ({}),
    },
  },
  triggers: {
    record_updated: {
      configFields: [{ name: 'object', controlType: 'select', pickList: 'objects' }],
      outputFields: (ctx) => ctx.objectDefinitions.record,
      webhookNotification: (ctx) => {
        const event = ctx.payload as { event?: string; record?: { id: string; fields: Record<string, unknown> } };
        if (event.event !== 'record.updated') ctx.error(`Kizen event "${event.event}" is not handled`);
        // A connector bug on purpose: a payload without `record` throws a TypeError here.
        const record = event.record as NonNullable<typeof event.record>;
        const known = new Set(ctx.extendedOutputSchema.map((f) => f.name));
        return Object.fromEntries(Object.entries({ id: record.id, ...record.fields }).filter(([k]) => known.has(k)));
      },
    },
  },
  pickLists: {
    objects: () => [['Deals', 'deals']],
  },
});
