import { defineConnector } from '@weft/sdk';

/**
 * Shaped like Salesforce's SOAP API: an XML login returns a session id, a user key and the server
 * URL to use; `apply` sends the session in a SOAP header and the user key as a query parameter,
 * next to constant SOAP headers; an expired session answers INVALID_SESSION_ID. Shared by the
 * cassette tests here, the SDK's secrets tests and the CLI's `weft exec` secrets tests.
 */
export default defineConnector({
  title: 'SOAP login',
  connection: {
    fields: [{ name: 'login_url' }, { name: 'username' }, { name: 'password', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      acquire: async (ctx) => {
        const answer = await ctx
          .post(`${ctx.connection.login_url}/login`, {
            login: { username: ctx.connection.username, password: ctx.connection.password },
          })
          .requestFormatXml('Envelope')
          .responseFormatXml({ stripNamespaces: true });
        const result = answer.Envelope[0].Body[0].loginResponse[0].result[0];
        return {
          session_id: result.sessionId[0]['#text'],
          server_url: result.serverUrl[0]['#text'],
          user_key: result.userKey[0]['#text'],
        };
      },
      detectOn: [/INVALID_SESSION_ID/],
      apply: (ctx) => {
        ctx.headers({ 'Content-Type': 'text/xml', SOAPAction: 'test' });
        ctx.params({ user_key: ctx.connection.user_key });
        ctx.payload({ Header: { SessionHeader: { sessionId: ctx.connection.session_id } } });
      },
    },
  },
  actions: {
    query: {
      execute: async (ctx) => {
        const answer = await ctx
          .post(`${ctx.connection.server_url}/query`, { Body: { query: 'SELECT Name FROM Account' } })
          .requestFormatXml('Envelope')
          .responseFormatXml({ stripNamespaces: true });
        return { name: answer.Envelope[0].Body[0].queryResponse[0].name[0]['#text'] };
      },
    },
    send_password: {
      execute: (ctx) =>
        ctx
          .post(`${ctx.connection.server_url}/reject`, { Body: { password: ctx.connection.password } })
          .requestFormatXml('Envelope'),
    },
  },
});
