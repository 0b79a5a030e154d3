import { defineConnector } from '@weft/sdk';

/** A connector that does not declare `secureTunnel`: its connections cannot name an agent group. */
export default defineConnector({
  title: 'Plain (tunnel fixture)',
  connection: { fields: [], authorization: { type: 'none' } },
  actions: { noop: { execute: () => ({ ok: true }) } },
});
