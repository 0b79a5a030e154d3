/**
 * Acme Reports: a back-office reporting API for server-to-server use. There is no user to sign
 * in; the integration authenticates as itself with the OAuth 2.0 client credentials grant.
 *
 * Shows: an `oauth2` authorization with `grantType: 'client_credentials'` whose token Weft
 * requests directly (no browser), the client secret as a password field of the connection, the
 * secret sent in the form body (`tokenAuthMethod: 'client_secret_post'`), a requested scope, and
 * a new token fetched automatically when the API answers 401 (a client-credentials connection has
 * no refresh token: "refresh" means asking for a new token).
 */
import { defineConnector } from '@weft/sdk';

interface Report {
  id: string;
  name: string;
  rows: number;
}

const instance = (connection: Record<string, any>) => String(connection.instance_url).replace(/\/+$/, '');

export default defineConnector({
  title: 'Acme Reports',
  connection: {
    fields: [
      { name: 'instance_url', label: 'Instance URL', hint: 'For example https://reports.acme.example' },
      { name: 'client_id', label: 'Client ID' },
      { name: 'client_secret', label: 'Client secret', controlType: 'password' },
    ],
    authorization: {
      type: 'oauth2',
      grantType: 'client_credentials',
      tokenUrl: (ctx) => `${instance(ctx.connection)}/oauth/token`,
      tokenAuthMethod: 'client_secret_post',
      scope: 'api:read',
      refreshOn: [401],
    },
    baseUri: (ctx) => `${instance(ctx.connection)}/api/`,
  },
  test: (ctx) => ctx.get('reports', { limit: 1 }),
  actions: {
    list_reports: {
      title: 'List reports',
      execute: async (ctx) => ({ reports: (await ctx.get('reports')) as Report[] }),
      outputFields: [
        {
          name: 'reports',
          type: 'array',
          of: 'object',
          properties: [{ name: 'id' }, { name: 'name' }, { name: 'rows', type: 'integer' }],
        },
      ],
    },
  },
});
