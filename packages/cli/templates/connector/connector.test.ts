import { loadConnector } from '@weft/sdk/testing';
import { expect, test } from 'vitest';

test('greet repeats the greeting', async () => {
  const connector = await loadConnector('./connector.ts');
  const output = await connector.actions.greet.execute({ input: { name: 'Ada', times: '2' } });
  expect(output).toEqual({ greeting: 'Hello, Ada! Hello, Ada!' });
});

// Replays __cassettes__/connector.test.ts/get_item-reads-an-item-from-the-API.json, recorded
// against the example API (https://api.example.com/v1): no server, no settings needed. Point
// settings.yaml at your API and run `weft test --record` to record your own exchanges.
test('get_item reads an item from the API', async () => {
  const connector = await loadConnector('./connector.ts');
  const output = await connector.actions.get_item.execute({ input: { id: 7 } });
  expect(output).toEqual({ id: 7, name: 'First item' });
  expect(connector.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET https://api.example.com/v1/items/7']);
});
