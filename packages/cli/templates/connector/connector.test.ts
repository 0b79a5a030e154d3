import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, loadConnectorFile } from '@weft/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';

let server: ReturnType<typeof createServer>;
let baseUrl = '';

beforeAll(async () => {
  // A stand-in for the real API, on 127.0.0.1.
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: Number(req.url?.split('/').pop()), name: 'First item' }));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

test('greet repeats the greeting', async () => {
  const { definition } = await loadConnectorFile(new URL('./connector.ts', import.meta.url).pathname);
  const result = await execute(definition, 'actions.greet.execute', { input: { name: 'Ada', times: '2' } });
  expect(result).toMatchObject({ output: { greeting: 'Hello, Ada! Hello, Ada!' } });
});

test('get_item reads an item from the API', async () => {
  const { definition } = await loadConnectorFile(new URL('./connector.ts', import.meta.url).pathname);
  const result = await execute(definition, 'actions.get_item.execute', {
    input: { id: 7 },
    connection: { base_url: baseUrl },
  });
  expect(result).toMatchObject({ output: { id: 7, name: 'First item' } });
});
