/** Definition checks: every problem of a connector definition, each with its path. */
export { assertValidConnector, validateConnector } from './connector.js';
export { editDistance, suggestKey } from './keys.js';
