/**
 * `GET /metrics`: Prometheus text, open like the probes unless WEFT_METRICS_TOKEN is set; a
 * webhook, its job and the queue show in it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiCaller, type ErrorBody } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';

const CONNECTORS = fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url));
let server: RunningServer;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-metrics-'));
  server = await startServer({ port: 0, home, connectorDirs: [CONNECTORS], env: {}, onWarning: () => {} });
});

afterAll(async () => {
  await server.close();
});

async function metrics(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

const value = (text: string, series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('metrics need no token, unless WEFT_METRICS_TOKEN sets one', async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  const home = await mkdtemp(join(tmpdir(), 'weft-metrics-'));
  const guarded = await startServer({
    port: 0,
    home,
    connectorDirs: [CONNECTORS],
    env: { WEFT_METRICS_TOKEN: 'metrics-token-0123456789' },
    onWarning: () => {},
  });
  try {
    const bare = await fetch(`${guarded.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as ErrorBody).error.message).toContain('WEFT_METRICS_TOKEN');
    const admin = await fetch(`${guarded.url}/metrics`, {
      headers: { authorization: `Bearer ${guarded.token.token}` },
    });
    expect(admin.status).toBe(401);
    const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^weft_queue_jobs/m);
  } finally {
    await guarded.close();
  }
});

test('a webhook accepted, its job finished, and the queue, in Prometheus text', async () => {
  const recipe = await call('POST', '/api/recipes', {
    name: 'mentions',
    trigger: { connector: 'chat', trigger: 'mention', input: {} },
    steps: [{ id: 'post', connector: 'chat', action: 'post_message', input: { text: '=trigger.text' } }],
  });
  expect(recipe.status).toBe(201);
  await call('POST', `/api/recipes/${recipe.body.id}/start`);
  const before = await metrics();
  expect(before).toMatch(/^weft_queue_jobs\{state="ready"\} 0$/m);
  const hook = await fetch(recipe.body.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hi', user: 'u1' }),
  });
  expect(hook.status).toBe(200);
  await server.context.jobs.idle();
  const refused = await fetch(`${recipe.body.webhookUrl}x`, { method: 'POST', body: '{}' });
  expect(refused.status).toBe(404);
  const after = await metrics();
  expect(value(after, 'weft_webhook_requests_total\\{outcome="accepted"\\}')).toBe(1);
  expect(value(after, 'weft_webhook_requests_total\\{outcome="refused"\\}')).toBe(1);
  expect(value(after, 'weft_webhook_latency_seconds_count')).toBe(2);
  expect(value(after, 'weft_jobs_finished_total\\{status="succeeded"\\}')).toBe(1);
  expect(value(after, 'weft_job_duration_seconds_count')).toBe(1);
  expect(after).toMatch(/^weft_poll_errors_total 0$/m);
  expect(after).toMatch(/^weft_token_refreshes_total 0$/m);
  expect(after).toMatch(/^process_resident_memory_bytes /m);
});
