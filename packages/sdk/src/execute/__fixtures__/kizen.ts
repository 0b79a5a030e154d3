/**
 * Shaped like the Kizen connector (header auth, config-driven schemas): the chosen object in a
 * config field decides the fields, through an object definition that reads the API.
 */
import { defineConnector } from '../../define.js';
import type { Field } from '../../types.js';

const names = (fields: readonly Field[] | undefined) => (fields ?? []).map((f) => f.name);

export const kizen = defineConnector({
  title: 'Kizen-like',
  connection: {
    fields: [
      { name: 'base_url' },
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
      configFields: [{ name: 'object', controlType: 'select', pickList: [['Deals', 'deals']] }],
      inputFields: (ctx) => ctx.objectDefinitions.record,
      outputFields: (ctx) => ctx.objectDefinitions.record,
      execute: (ctx) => ({
        input: ctx.input,
        extendedInputSchema: names(ctx.extendedInputSchema),
        extendedOutputSchema: names(ctx.extendedOutputSchema),
      }),
    },
  },
  triggers: {
    record_updated: {
      configFields: [{ name: 'object', controlType: 'select', pickList: [['Deals', 'deals']] }],
      outputFields: (ctx) => ctx.objectDefinitions.record,
      webhookNotification: (ctx) => ({
        ...(ctx.payload as Record<string, unknown>),
        extendedOutputSchema: names(ctx.extendedOutputSchema),
      }),
    },
  },
});
