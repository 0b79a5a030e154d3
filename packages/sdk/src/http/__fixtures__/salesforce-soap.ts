/**
 * Shaped like the Salesforce SOAP connector: `apply` sets the XML formats once for every
 * request and puts the session header into every envelope; each action adds its own body
 * (and headers of its own) to the same envelope.
 */
import { defineConnector } from '../../define.js';

const NAMESPACES = { soapenv: 'http://schemas.xmlsoap.org/soap/envelope/', urn: 'urn:partner.soap.sforce.com' };

export const salesforceSoap = defineConnector({
  title: 'Salesforce SOAP-like',
  connection: {
    fields: [{ name: 'server_url' }, { name: 'session_id', controlType: 'password' }],
    authorization: {
      type: 'custom_auth',
      apply: (ctx) => {
        ctx.formatXml('soapenv:Envelope', NAMESPACES, { stripNamespaces: true });
        ctx.headers({ SOAPAction: '""' });
        ctx.payload({ 'soapenv:Header': { 'urn:SessionHeader': { 'urn:sessionId': ctx.connection.session_id } } });
      },
    },
    baseUri: (ctx) => ctx.connection.server_url,
  },
  actions: {
    query: {
      inputFields: [{ name: 'soql' }],
      execute: async (ctx) => {
        const response = await ctx.post('services/Soap/u/52.0').payload({
          'soapenv:Header': { 'urn:QueryOptions': { 'urn:batchSize': '200' } },
          'soapenv:Body': { 'urn:query': { 'urn:queryString': ctx.input.soql } },
        });
        const result = response.Envelope[0].Body[0].queryResponse[0].result[0];
        return { size: result.size[0]['#text'] };
      },
    },
    /** A request that chooses its own formats keeps them. */
    rest_limits: {
      execute: (ctx) => ctx.get('services/data/v52.0/limits').responseFormatJson(),
    },
  },
});
