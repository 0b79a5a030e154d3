// bench/http-overhead: an action doing one GET through the executor vs. the same GET with raw
// undici, against one local server, in this process. Target: throughput ratio >= 0.85.
import { fileURLToPath } from 'node:url';
import { execute, loadConnectorFile } from '@weft/sdk/runtime';
import { Agent, request } from 'undici';
import { median, report, startApi, throughput } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const api = await startApi();
const { definition } = await loadConnectorFile(fileURLToPath(new URL('./fixtures/get/connector.ts', import.meta.url)));
const connection = { base_url: api.url };
const agent = new Agent({ keepAliveTimeout: 60_000 });

const raw = async () => {
  const res = await request(`${api.url}/items/1`, { dispatcher: agent });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return res.body.json();
};
const weft = async () => {
  const result = await execute(definition, 'actions.get_item.execute', { connection, input: { id: 1 } });
  if (result.kind !== 'output' || result.output.id !== 1) throw new Error('unexpected output');
};

// Warm up both paths (JIT, pools), then alternate rounds so drift hits both alike.
await throughput(raw, { durationMs: 500, concurrency: CONCURRENCY });
await throughput(weft, { durationMs: 500, concurrency: CONCURRENCY });
const rawRates = [];
const weftRates = [];
for (let i = 0; i < ROUNDS; i++) {
  rawRates.push(await throughput(raw, { durationMs: DURATION_MS, concurrency: CONCURRENCY }));
  weftRates.push(await throughput(weft, { durationMs: DURATION_MS, concurrency: CONCURRENCY }));
}
const rawRps = median(rawRates);
const weftRps = median(weftRates);
report('http-overhead', {
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  rawUndiciRps: Math.round(rawRps),
  weftExecutorRps: Math.round(weftRps),
  ratio: Number((weftRps / rawRps).toFixed(3)),
  target: '>= 0.85',
});
api.stop();
await agent.close();
process.exit(0);
