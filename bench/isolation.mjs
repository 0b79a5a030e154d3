// Operation round trip to a warm connector host: p50/p99 latency and operations/s of an action
// with no HTTP (`echo`), through the isolated runtime, against the same operation run directly
// in this process (`runOperation` of the SDK). One caller for latency, then 32 at once for
// throughput.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, throughput } from './lib.mjs';

const platform = await import('../packages/platform/dist/index.js');
const { loadConnectorFile } = await import('../packages/sdk/dist/runtime.js');
const { runOperation: runDirect } = await import('../packages/sdk/dist/operations/index.js');

const FOLDER = fileURLToPath(new URL('./fixtures/runtime/bench', import.meta.url));
const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const operation = { kind: 'action', action: 'echo', input: { id: 7 } };
const options = { connection: { base_url: 'http://127.0.0.1:9/' }, mode: 'job' };

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function latencies(run, definition) {
  for (let i = 0; i < 200; i++) await run(definition, operation, options); // warm-up
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await run(definition, operation, options);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (n) => Number(n.toFixed(3));
  return { p50ms: round(percentile(times, 0.5)), p99ms: round(percentile(times, 0.99)) };
}

const bundleDir = mkdtempSync(join(tmpdir(), 'weft-bench-isolation-'));
const runtime = new platform.IsolatedRuntime({ ...platform.isolationOptions({}, 32), bundleDir, env: process.env });
const isolatedStart = performance.now();
const isolatedConnector = await runtime.loadFolder(FOLDER);
const loadMs = Math.round(performance.now() - isolatedStart);
const direct = await loadConnectorFile(FOLDER);

const directLatency = await latencies(runDirect, direct.definition);
const isolatedLatency = await latencies(platform.runOperation, isolatedConnector.definition);
const concurrency = 32;
const directRate = await throughput(() => runDirect(direct.definition, operation, options), {
  durationMs: DURATION_MS,
  concurrency,
});
const isolatedRate = await throughput(() => platform.runOperation(isolatedConnector.definition, operation, options), {
  durationMs: DURATION_MS,
  concurrency,
});
await runtime.close();
rmSync(bundleDir, { recursive: true, force: true });
report('isolation', {
  loadAndFirstHostMs: loadMs,
  direct: { ...directLatency, operationsPerSecond: Math.round(directRate) },
  isolated: { ...isolatedLatency, operationsPerSecond: Math.round(isolatedRate) },
  p50OverheadMs: Number((isolatedLatency.p50ms - directLatency.p50ms).toFixed(3)),
  throughputRatio: Number((isolatedRate / directRate).toFixed(3)),
});
process.exit(0);
