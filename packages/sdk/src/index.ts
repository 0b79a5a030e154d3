/**
 * @weft/sdk: define, validate, load and run connectors.
 */

export { type AuthorizationStart, oauth2AuthorizationOf, startAuthorization } from './auth/flow.js';
export {
  type AuthorizationRequest,
  type AuthorizationUrlOptions,
  buildAuthorizationUrl,
  type CodeExchange,
  checkTokenUrl,
  clientCredentialsToken,
  createAuthorizationRequest,
  createPkcePair,
  createState,
  defaultAcquire,
  defaultRefresh,
  exchangeCode,
  type GrantType,
  type OAuth2Client,
  type OAuth2Settings,
  type OAuth2Tokens,
  type PkcePair,
  parseAuthorizationCallback,
  passwordToken,
  refreshToken,
  resolveOAuth2Settings,
  type TokenAuthMethod,
  type TokenRequestEnv,
} from './auth/oauth2.js';
export { PROACTIVE_REFRESH_MS } from './auth/refresh.js';
export { CUSTOM_ACTION_NAME, isGeneratedCustomAction, withCustomAction } from './custom-action.js';
export { defineAction, defineConnector, defineFields, defineTrigger } from './define.js';
export * from './errors.js';
export {
  checkPollResult,
  connectionSecrets,
  type ExecuteOptions,
  type ExecuteResult,
  execute,
  type WebhookRequest,
} from './execute/executor.js';
export {
  type ExecData,
  type ExecTarget,
  listPaths,
  operationOf,
  parseExecPath,
  pathToOperation,
} from './execute/paths.js';
export { closeHttp, createHttpHelpers, redactUrl } from './http/index.js';
export type * from './http/types.js';
export {
  bundleConnectorFile,
  CONNECTOR_EXTENSIONS,
  type LoadedConnector,
  loadConnectorFile,
  nameOf as connectorNameOf,
  resolveConnectorPath,
} from './load/load.js';
export { CONTROL_TYPES, FIELD_TYPES } from './model/fields.js';
export { REDACTED, Redactor } from './redact.js';
export * from './schema/index.js';
export * from './triggers/index.js';
export type * from './types.js';
export { assertValidConnector, validateConnector } from './validate/index.js';
