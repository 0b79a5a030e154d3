/**
 * @weft/sdk: define, validate, load and run connectors.
 */
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
export { type ExecTarget, listPaths, parseExecPath } from './execute/paths.js';
export { closeHttp, createHttpHelpers, redactUrl } from './http/index.js';
export type * from './http/types.js';
export { CONNECTOR_EXTENSIONS, type LoadedConnector, loadConnectorFile, resolveConnectorPath } from './load/load.js';
export { REDACTED, Redactor } from './redact.js';
export * from './schema/index.js';
export type * from './types.js';
export { assertValidConnector, validateConnector } from './validate/index.js';
