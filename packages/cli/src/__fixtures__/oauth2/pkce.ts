import { defineConnector } from '@weft/sdk';

/** Authorization code with PKCE for a public client; the issuer comes from the environment. */
const issuer = () => process.env.WEFT_TEST_ISSUER ?? 'http://127.0.0.1:9';

export default defineConnector({
  title: 'OAuth2 PKCE fixture',
  connection: {
    authorization: {
      type: 'oauth2',
      authorizationUrl: () => `${issuer()}/auth?prompt=consent`,
      tokenUrl: () => `${issuer()}/token`,
      clientId: 'weft-pkce',
      scope: 'openid offline_access',
      pkce: true,
    },
    baseUri: () => `${issuer()}/`,
  },
  test: (ctx) => ctx.get('me'),
});
