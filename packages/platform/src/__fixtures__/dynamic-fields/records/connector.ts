/**
 * A connector shaped like Kizen or TrackVia: the record's fields live in the account, so output
 * fields are functions that ask the API (`GET /fields/<object>`), directly or through an object
 * definition, and depend on a config field.
 */
import { defineConnector } from '@weft/sdk';

export default defineConnector({
  title: 'Records (dynamic fields)',
  connection: {
    fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  objectDefinitions: {
    record: {
      fields: async (ctx) => (await ctx.get('fields/contact')) as never,
    },
  },
  triggers: {
    new_record: {
      configFields: [{ name: 'object' }],
      outputFields: async (ctx) => (await ctx.get(`fields/${ctx.configFields.object}`)) as never,
      poll: () => ({ events: [] }),
    },
  },
  actions: {
    get_record: {
      configFields: [{ name: 'object' }],
      inputFields: [{ name: 'id' }],
      outputFields: async (ctx) => ctx.objectDefinitions.record,
      execute: () => ({}),
    },
    broken_fields: {
      inputFields: [{ name: 'id', optional: true }],
      outputFields: (ctx) => {
        throw new Error(`no fields for key ${ctx.connection.api_key}`);
      },
      execute: () => ({}),
    },
    untyped: {
      inputFields: [{ name: 'id', optional: true }],
      outputFields: () => [],
      execute: () => ({}),
    },
    note: {
      inputFields: [{ name: 'text' }],
      execute: () => ({}),
    },
  },
});
