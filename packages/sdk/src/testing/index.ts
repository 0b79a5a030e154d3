/**
 * @weft/sdk/testing: test connectors through the one executor, with recorded HTTP exchanges
 * (cassettes) replayed offline, a frozen clock, and contract checks.
 */
export { execute, loadConnectorFile } from '../runtime.js';
export {
  CassetteError,
  type CassetteFile,
  type Interaction,
  type RecordedOutput,
  readCassette,
  serializeCassette,
} from './cassette.js';
export { type CheckOptions, type CheckProblem, checkConnector, findCassetteDirs } from './check.js';
export { lineDiff } from './diff.js';
export { cassetteDispatcher, cassetteInterceptor, OfflineDispatcher } from './interceptor.js';
export {
  type ActionOperations,
  cassettePath,
  isRecording,
  type LoadConnectorOptions,
  loadConnector,
  type RecordMode,
  recordMode,
  type TestConnector,
  type TriggerOperations,
} from './load-connector.js';
export { DEFAULT_MATCH, type MatchOn } from './match.js';
export { pickListArgs, type SampleSource, sampleFields, typeSample } from './samples.js';
export { SecretBook } from './secrets.js';
export type { SentRequest } from './session.js';
