/**
 * Acme Notes: a note-taking service whose API uses OAuth 2.0 with the authorization-code grant
 * and PKCE. The app registered with Acme is a public client: it has a client id but no secret,
 * so PKCE (S256) is what binds the code to the Weft process that asked for it.
 *
 * Shows: an `oauth2` authorization with `pkce: true`, settings computed from the connection
 * (`authorizationUrl` and `tokenUrl` follow the instance URL, the client id comes from the
 * connection's `client_id`), extra authorization parameters kept in `authorizationUrl`, the
 * default bearer `apply`, and a refresh on 401 with the stored refresh token.
 */
import { defineConnector } from '@weft/sdk';

interface Note {
  id: number;
  title: string;
  body: string;
  updated_at: string;
}

const instance = (connection: Record<string, any>) => String(connection.instance_url).replace(/\/+$/, '');

export default defineConnector({
  title: 'Acme Notes',
  connection: {
    fields: [
      { name: 'instance_url', label: 'Instance URL', hint: 'For example https://notes.acme.example' },
      { name: 'client_id', label: 'Client ID', hint: 'The id of the app registered in Acme Notes (a public app)' },
    ],
    authorization: {
      type: 'oauth2',
      // prompt=consent: Acme only hands out refresh tokens (offline_access) after an explicit consent.
      authorizationUrl: (ctx) => `${instance(ctx.connection)}/oauth/authorize?prompt=consent`,
      tokenUrl: (ctx) => `${instance(ctx.connection)}/oauth/token`,
      scope: 'openid offline_access',
      pkce: true,
      refreshOn: [401],
    },
    baseUri: (ctx) => `${instance(ctx.connection)}/api/`,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    get_profile: {
      title: 'Get my profile',
      execute: (ctx) => ctx.get('me'),
      outputFields: [{ name: 'sub', label: 'User ID' }],
    },
    list_notes: {
      title: 'List notes',
      inputFields: [{ name: 'query', optional: true, hint: 'Only notes whose title contains this' }],
      execute: async (ctx) => {
        const notes: Note[] = await ctx.get('notes', ctx.input.query ? { q: ctx.input.query } : {});
        return { notes };
      },
      outputFields: [
        {
          name: 'notes',
          type: 'array',
          of: 'object',
          properties: [
            { name: 'id', type: 'integer' },
            { name: 'title' },
            { name: 'body' },
            { name: 'updated_at', type: 'date_time' },
          ],
        },
      ],
    },
  },
});
