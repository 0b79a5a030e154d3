/**
 * `@weft/sdk/operations`: run one typed operation of a connector (`runOperation`), the table
 * of operation kinds, and the result types. Hosts (the platform, the CLI) call these.
 */

export type { HelpText } from '../execute/fields.js';
export * from '../model/operations.js';
export { checkPollResult, MAX_EVENTS_PER_POLL } from './poll.js';
export { runOperation } from './run.js';
export { connectionSecrets } from './setup.js';
export type * from './types.js';
