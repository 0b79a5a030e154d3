import { defineConnector } from '@weft/sdk';

/**
 * A connector whose password may hold any character: `apply` sets constant SOAP headers and an
 * API key; one action sends the password to an API that echoes it in an error,
 * another returns text full of words that look like the constants.
 */
export default defineConnector({
  title: 'Vault',
  connection: {
    fields: [
      { name: 'base' },
      { name: 'password', controlType: 'password' },
      { name: 'api_key', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) =>
        ctx.headers({ 'Content-Type': 'text/xml', SOAPAction: 'test', 'X-Api-Key': ctx.connection.api_key }),
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  actions: {
    check_password: {
      inputFields: [],
      outputFields: [],
      execute: (ctx) => ctx.post('/reject', { password: ctx.connection.password }).requestFormatJson(),
    },
    summary: {
      inputFields: [],
      outputFields: [{ name: 'text' }, { name: 'soapAction' }],
      execute: async (ctx) => {
        const echoed = await ctx.get('/echo');
        return { text: 'latest contest results as text, test', soapAction: echoed.soapaction };
      },
    },
  },
});
