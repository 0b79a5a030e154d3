/** The Kizen-shaped connector, one definition shared with the SDK's executor tests. */
export { kizen as default } from '../../../../../sdk/src/execute/__fixtures__/kizen.js';
