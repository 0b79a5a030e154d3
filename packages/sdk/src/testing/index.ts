/**
 * @weft/sdk/testing: helpers for connector tests (cassettes and loadConnector arrive with the
 * testing toolkit). For now it re-exports what tests of connectors need most.
 */
export { execute, loadConnectorFile } from '../index.js';
