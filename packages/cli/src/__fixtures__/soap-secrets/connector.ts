import { defineConnector } from '@weft/sdk';

/**
 * Shaped like Salesforce's SOAP API: an XML login returns a session id and a user key, which
 * `apply` sends in a SOAP header and a query parameter, next to constant SOAP headers.
 */
export default defineConnector({
  title: 'SOAP secrets',
  connection: {
    fields: [{ name: 'base' }, { name: 'username' }, { name: 'password', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      acquire: async (ctx) => {
        const answer = await ctx
          .post('/login', { login: { username: ctx.connection.username, password: ctx.connection.password } })
          .requestFormatXml('Envelope')
          .responseFormatXml({ stripNamespaces: true });
        const result = answer.Envelope[0].Body[0].loginResponse[0].result[0];
        return { session_id: result.sessionId[0]['#text'], user_key: result.userKey[0]['#text'] };
      },
      apply: (ctx) => {
        ctx.headers({ 'Content-Type': 'text/xml', SOAPAction: 'test' });
        ctx.params({ user_key: ctx.connection.user_key });
        ctx.payload({ Header: { SessionHeader: { sessionId: ctx.connection.session_id } } });
      },
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  actions: {
    query: {
      execute: async (ctx) => {
        await ctx.post('/query', { Body: { query: 'SELECT Name FROM Account' } }).requestFormatXml('Envelope');
        return { text: 'latest contest results as text, test' };
      },
    },
    send_password: {
      execute: (ctx) =>
        ctx.post('/reject', { Body: { password: ctx.connection.password } }).requestFormatXml('Envelope'),
    },
  },
});
