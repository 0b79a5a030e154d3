import type { ConnectorDefinition } from '@weft/sdk';

/**
 * The connection of the fixtures that call a local API without authorization: its base URL only.
 * (config-driven/ keeps its own: `weft generate` tests copy that folder alone as a project.)
 */
export const baseUrlConnection: ConnectorDefinition['connection'] = {
  fields: [{ name: 'base_url' }],
  authorization: { type: 'none' },
  baseUri: (ctx) => ctx.connection.base_url,
};
