import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import { startServer, type TestServer } from './__fixtures__/server.js';

let api: TestServer;
const padding = 'x'.repeat(400);

/** Shaped like TrackVia (OAuth 2.0 bearer token, JSON API). */
const trackvia = defineConnector({
  title: 'TrackVia-like',
  connection: {
    fields: [{ name: 'base_url' }],
    authorization: { type: 'oauth2', authorizationUrl: 'https://go.trackvia.example/oauth/authorize' },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  actions: {
    get: { inputFields: [{ name: 'path' }], execute: (ctx) => ctx.get(ctx.input.path) },
  },
});

const bodies: Record<string, unknown> = {
  '/oauth': { trace: padding, error: 'invalid_token', error_description: 'The access token expired' },
  '/nested': { requestId: padding, error: { code: 'VIEW_NOT_FOUND', message: 'No view with id 12' } },
  '/plain': { status: 'failed', message: 'Record 7 is locked' },
  '/list': [{ message: 'No such column "Nmae"', errorCode: 'INVALID_FIELD', fields: [padding] }],
  '/unknown': { debug: padding },
};

beforeAll(async () => {
  api = await startServer((req, res) => {
    res.statusCode = 400;
    if (req.url === '/soap12') {
      res.setHeader('content-type', 'application/soap+xml');
      res.end(
        `<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header><trace>${padding}</trace></env:Header><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Quantity &lt; 1 is not allowed</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
      );
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(bodies[new URL(req.url!, 'http://x').pathname]));
  });
});
afterAll(() => api.close());

async function messageOf(path: string): Promise<string> {
  const error = await execute(trackvia, 'actions.get.execute', {
    connection: { base_url: api.url, access_token: 'tv-access-0123456789' },
    input: { path },
  }).catch((e: Error) => e);
  return (error as Error).message;
}

describe('an HTTP error shows the meaningful part of the body', () => {
  test.each([
    ['/oauth', 'invalid_token: The access token expired'],
    ['/nested', 'VIEW_NOT_FOUND: No view with id 12'],
    ['/plain', 'Record 7 is locked'],
    ['/list', 'INVALID_FIELD: No such column "Nmae"'],
  ])('%s', async (path, shown) => {
    expect(await messageOf(path)).toBe(`GET ${api.url}${path} failed with HTTP 400: ${shown}`);
  });

  test('a SOAP 1.2 fault shows its reason, entities decoded', async () => {
    expect(await messageOf('/soap12')).toBe(`GET ${api.url}/soap12 failed with HTTP 400: Quantity < 1 is not allowed`);
  });

  test('a body with no message field is shown as before: its start, cut at 300 characters', async () => {
    const message = await messageOf('/unknown');
    expect(message).toContain(`failed with HTTP 400: {"debug":"xxx`);
    expect(message.endsWith('…')).toBe(true);
  });
});
