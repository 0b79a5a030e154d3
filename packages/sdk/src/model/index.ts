/**
 * `@weft/sdk/model`: the connector model as data, shared by the SDK, the platform and the
 * console. Pure: no Node imports. One export line per module.
 */
export * from './api.js';
export * from './auth.js';
export * from './fields.js';
export * from './http.js';
export * from './operations.js';
export * from './recipes.js';
