import { defineConnector } from '@weft/sdk';

/**
 * Shaped like Salesforce's SOAP API: an XML login returns a session id and the server URL to
 * use; `apply` sends the session in a SOAP header; an expired session answers INVALID_SESSION_ID.
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
        return { session_id: result.sessionId[0]['#text'], server_url: result.serverUrl[0]['#text'] };
      },
      detectOn: [/INVALID_SESSION_ID/],
      apply: (ctx) => {
        ctx.headers({ 'Content-Type': 'text/xml', SOAPAction: 'query' });
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
  },
});
