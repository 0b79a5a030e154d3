import { defineConnector } from '@weft/sdk';

/**
 * The fixture CRM reached through an on-premises agent (`secureTunnel`): its connection form has
 * an "Agent group" field. Only the agents tests load it (fixtures-tunnel is not in FIXTURES).
 */
export default defineConnector({
  title: 'On-premises CRM',
  description: 'The fixture CRM inside a private network, for the agents tests.',
  secureTunnel: true,
  connection: {
    fields: [
      { name: 'base_url', label: 'API address', controlType: 'url' },
      { name: 'api_key', label: 'API key', controlType: 'password' },
    ],
    authorization: { type: 'api_key', apply: (ctx) => ctx.headers({ 'X-Api-Key': ctx.connection.api_key }) },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  actions: {
    me: { title: 'Who am I', execute: (ctx) => ctx.get('me') },
  },
});
