/**
 * `@weft/sdk/model`: the connector model as data, shared by the SDK and the console. Pure: no
 * Node imports.
 */
export * from './fields.js';
export * from './operations.js';
