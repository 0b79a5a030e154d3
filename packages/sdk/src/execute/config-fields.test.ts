import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../http/__fixtures__/server.js';
import { kizen } from './__fixtures__/kizen.js';
import { execute } from './executor.js';

let api: TestServer;
let connection: Record<string, unknown>;

beforeAll(async () => {
  api = await startServer();
  api.on('/custom-objects/deals/fields', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ fields: [{ name: 'deal_value' }, { name: 'stage' }] }));
  });
  connection = { base_url: api.url, user_id: 'u1', business_id: 'b1', api_key: 'k-0123456789' };
});
afterAll(() => api.close());

describe('object definitions see the config fields (Kizen-shaped connector)', () => {
  test('input_fields resolved through an object definition depend on the chosen object', async () => {
    const result = await execute(kizen, 'actions.create_record.input_fields', {
      connection,
      configFields: { object: 'deals' },
    });
    expect(result.kind === 'output' && result.output).toEqual([
      { name: 'id' },
      { name: 'deal_value', optional: true },
      { name: 'stage', optional: true },
    ]);
  });

  test('object_definitions.<name>.fields takes the config fields too', async () => {
    const result = await execute(kizen, 'object_definitions.record.fields', {
      connection,
      configFields: { object: 'deals' },
    });
    expect(result.kind === 'output' && (result.output as { name: string }[]).map((f) => f.name)).toEqual([
      'id',
      'deal_value',
      'stage',
    ]);
  });

  test('execute gets its resolved input and output schema; a config-dependent field is accepted', async () => {
    const result = await execute(kizen, 'actions.create_record.execute', {
      connection,
      input: { object: 'deals', id: '7', deal_value: '100' },
    });
    expect(result.kind === 'output' && result.output).toEqual({
      input: { object: 'deals', id: '7', deal_value: '100' },
      extendedInputSchema: ['id', 'deal_value', 'stage'],
      extendedOutputSchema: ['id', 'deal_value', 'stage'],
    });
    expect(result.kind === 'output' && result.dropped).toEqual([]);
  });

  test('webhookNotification gets the resolved output fields (and keeps only those)', async () => {
    const payload = { event: 'record.updated', record: { id: '9', fields: { stage: 'won', secret: 'x' } } };
    const result = await execute(kizen, 'triggers.record_updated.webhook_notification', {
      connection,
      input: { object: 'deals' },
      webhook: { payload, headers: {}, params: {} },
    });
    expect(result.kind === 'output' && result.output).toEqual({ id: '9', stage: 'won' });
  });
});
