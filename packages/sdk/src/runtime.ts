/**
 * @weft/sdk/runtime: what runs connectors — the CLI, the platform's connector hosts, tests and
 * benchmarks. Load and validate a connector, run one operation (`execute`), the poll and webhook
 * hosts with their seen-signature stores, the HTTP transport's lifecycle, and redaction.
 * Connector code itself imports `@weft/sdk` only.
 */

export { PROACTIVE_REFRESH_MS } from './auth/refresh.js';
export { isGeneratedCustomAction, withCustomAction } from './custom-action.js';
export {
  checkPollResult,
  connectionSecrets,
  type ExecuteOptions,
  type ExecuteResult,
  execute,
  MAX_EVENTS_PER_POLL,
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
export { mayBeUnder, TOOL_NAME_MAX, TOOL_SEPARATOR, toolName } from './host/tool-names.js';
export {
  actionOfTool,
  callTool,
  listTools,
  type ToolDefinition,
  type ToolResult,
  type ToolSource,
  toolError,
  toolOutput,
} from './host/tools.js';
export { closeHttp, createHttpHelpers, redactUrl } from './http/index.js';
export { routeOf } from './http/transport.js';
export {
  bundleConnectorFile,
  CONNECTOR_EXTENSIONS,
  type LoadedConnector,
  type LoadOptions,
  loadConnectorFile,
  nameOf as connectorNameOf,
  resolveConnectorPath,
} from './load/load.js';
export { REDACTED, Redactor } from './redact.js';
export { type Coerced, coerceScalar, FALSE_WORDS, TRUE_WORDS } from './schema/coerce.js';
export {
  effectiveType,
  isMissing,
  type ProcessedInput,
  type ProcessInputOptions,
  processInput,
  type RunMethod,
} from './schema/input.js';
export { evaluateNgIf, type NgIfNode, parseNgIf } from './schema/ngif.js';
export { createObjectDefinitions, resolveFields } from './schema/object-definitions.js';
export { applyConvertOutput, type OutputMethodRunner } from './schema/output.js';
export {
  acceptWebhookEvents,
  checkSignatures,
  type EventSigner,
  type NewEvents,
  selectNew,
  signaturesOf,
} from './triggers/dedup.js';
export {
  MAX_EMPTY_POLLS,
  type PollCycleOptions,
  type PollCycleOutcome,
  type PollOutcome,
  type RunPollOptions,
  runPoll,
  runPollCycle,
} from './triggers/poll.js';
export {
  buildWebhookReply,
  normalizeEvents,
  parseForm,
  parseWebhookBody,
  resolvePayload,
  type SignatureState,
  type WebhookReply,
  webhookErrorReply,
  webhookSignatureHelpers,
} from './triggers/reply.js';
export { FileSeenStore, MemorySeenStore, type SeenStore } from './triggers/seen.js';
export {
  matchStaticWebhook,
  runWebhookNotification,
  type StaticRecipe,
  type WebhookOutcome,
  type WebhookRunOptions,
  webhookKeyOfRecipe,
  webhookKeyOfRequest,
} from './triggers/webhooks.js';
export { assertValidConnector, validateConnector } from './validate/index.js';
