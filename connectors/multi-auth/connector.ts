import { defineConnector } from '@weft/sdk';

/**
 * Taskboard: an API that accepts either a personal API key or a username and password. The
 * user picks one in the connection (`auth_type`); `selected` names the authorization option in
 * force, and only that option's `apply` runs.
 */
export default defineConnector({
  title: 'Taskboard',
  connection: {
    fields: [
      { name: 'base_url', label: 'API URL', controlType: 'url' },
      {
        name: 'auth_type',
        label: 'Authentication',
        controlType: 'select',
        options: [
          ['API key', 'api_key'],
          ['Username and password', 'basic'],
        ],
        default: 'api_key',
        extendsSchema: true,
      },
      {
        name: 'api_key',
        label: 'API key',
        controlType: 'password',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      { name: 'username', optional: true, ngIf: 'connection.auth_type == "basic"' },
      { name: 'password', controlType: 'password', optional: true, ngIf: 'connection.auth_type == "basic"' },
    ],
    authorization: {
      type: 'multi',
      selected: (ctx) => ctx.connection.auth_type ?? 'api_key',
      options: {
        api_key: {
          type: 'api_key',
          apply: (ctx) => ctx.headers({ Authorization: `Token ${ctx.connection.api_key}` }),
        },
        basic: { type: 'basic_auth' }, // sends the connection's username and password
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    list_projects: {
      title: 'List projects',
      execute: async (ctx) => ({ projects: await ctx.get('projects') }),
      outputFields: [
        { name: 'projects', type: 'array', properties: [{ name: 'id', type: 'integer' }, { name: 'name' }] },
      ],
    },
  },
});
