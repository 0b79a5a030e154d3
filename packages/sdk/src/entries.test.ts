/**
 * The package's entries as a consumer sees them (through the package name and its `exports`,
 * so the built files): the root is the authoring API; running connectors is `/runtime`; the
 * OAuth2 protocol client is `/oauth2`.
 */
import { describe, expect, it } from 'vitest';

describe('@weft/sdk entries', () => {
  it('the root exports the authoring API and nothing that runs connectors', async () => {
    const root = await import('@weft/sdk');
    for (const name of [
      'defineConnector',
      'defineAction',
      'defineTrigger',
      'defineFields',
      'WeftError',
      'FIELD_TYPES',
    ]) {
      expect(root).toHaveProperty(name);
    }
    for (const name of [
      'execute',
      'loadConnectorFile',
      'validateConnector',
      'runPoll',
      'MemorySeenStore',
      'Redactor',
      'closeHttp',
      'startAuthorization',
      'exchangeCode',
    ]) {
      expect(root, name).not.toHaveProperty(name);
    }
  });

  it('@weft/sdk/runtime exports what runs connectors', async () => {
    const runtime = await import('@weft/sdk/runtime');
    for (const name of [
      'execute',
      'loadConnectorFile',
      'validateConnector',
      'runPoll',
      'MemorySeenStore',
      'closeHttp',
    ]) {
      expect(typeof (runtime as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(runtime).not.toHaveProperty('defineConnector');
  });

  it('@weft/sdk/oauth2 exports the protocol client', async () => {
    const oauth2 = await import('@weft/sdk/oauth2');
    for (const name of [
      'buildAuthorizationUrl',
      'exchangeCode',
      'createPkcePair',
      'refreshToken',
      'startAuthorization',
    ]) {
      expect(typeof (oauth2 as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
