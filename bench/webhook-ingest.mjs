// Durable webhook ingestion: requests/s that Weft answers 2xx (each answered only after its
// event is committed as a job), against a bare Fastify route doing one SQLite insert per request
// (WAL, same synchronous mode) in the same process and run. Load comes from autocannon, run in a
// child process so that it does not share the measured event loop.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { loadFromChild, median, report } from './lib.mjs';
import { jobCounts, startWeft } from './runtime.mjs';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SYNCHRONOUS = process.env.BENCH_SYNCHRONOUS === 'FULL' ? 'FULL' : 'NORMAL';
// The baseline only stores; by default so does Weft (its job workers paused), so the ratio
// compares ingestion with ingestion. BENCH_WORKERS=on leaves the workers running the jobs.
const WORKERS = process.env.BENCH_WORKERS === 'on';

function load(url) {
  return loadFromChild({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 42, name: 'Order 42', total: 99.5, lines: [{ sku: 'A-1', qty: 2 }] }),
  });
}

async function baseline() {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-base-'));
  const db = new Database(join(dir, 'base.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${SYNCHRONOUS}`);
  db.exec('create table events (id integer primary key, body text not null, created_at text not null)');
  const insert = db.prepare('insert into events (body, created_at) values (?, ?)');
  const app = Fastify();
  app.post('/hook', async (request) => {
    insert.run(JSON.stringify(request.body), new Date().toISOString());
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const result = await load(`http://127.0.0.1:${app.server.address().port}/hook`);
  const stored = db.prepare('select count(*) as n from events').get().n;
  await app.close();
  db.close();
  return { rps: result.requests.average, p99: result.latency.p99, ok: result['2xx'], stored };
}

async function weft() {
  // No steps: this measures ingestion; bench/jobs measures execution.
  const { server, recipe, webhookUrl } = await startWeft({ steps: [], synchronous: SYNCHRONOUS });
  if (!WORKERS) await server.context.jobs.queue.stop();
  const result = await load(webhookUrl);
  const counts = await jobCounts(server, recipe.id);
  const stored = Object.values(counts).reduce((a, b) => a + b, 0);
  await server.close();
  return { rps: result.requests.average, p99: result.latency.p99, ok: result['2xx'], stored };
}

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const base = await baseline();
  const ours = await weft();
  if (ours.stored < ours.ok) throw new Error(`Weft answered ${ours.ok} requests 2xx but stored ${ours.stored} jobs`);
  rounds.push({ base, ours, ratio: ours.rps / base.rps });
}
report('webhook-ingest', {
  synchronous: SYNCHRONOUS,
  workers: WORKERS ? 'running' : 'paused',
  connections: CONNECTIONS,
  durationS: DURATION,
  baselineRps: Math.round(median(rounds.map((r) => r.base.rps))),
  weftRps: Math.round(median(rounds.map((r) => r.ours.rps))),
  baselineP99Ms: median(rounds.map((r) => r.base.p99)),
  weftP99Ms: median(rounds.map((r) => r.ours.p99)),
  ratio: Number(median(rounds.map((r) => r.ratio)).toFixed(3)),
  ratios: rounds.map((r) => Number(r.ratio.toFixed(3))),
  target: '>= 0.7',
});
process.exit(0);
