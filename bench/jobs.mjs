// End-to-end jobs/s: webhook deliveries to a recipe with two actions (each one GET to the bench
// API, in its own process), from the first delivery to the last job succeeded; peak RSS sampled
// through the run, and RSS after the first and the last fifth of the jobs (flat memory).
import autocannon from 'autocannon';
import { report, startApi } from './lib.mjs';
import { jobCounts, startWeft } from './runtime.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const api = await startApi();
const { server, recipe, webhookUrl } = await startWeft({
  apiUrl: api.url,
  steps: [
    { id: 'first', connector: 'bench', connection: 'bench', action: 'fetch_item', input: { id: '=trigger.id' } },
    { id: 'second', connector: 'bench', connection: 'bench', action: 'fetch_item', input: { id: '=steps.first.id' } },
  ],
});

let peakRss = 0;
const rssAt = {};
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const started = performance.now();
const delivered = new Promise((resolve, reject) => {
  autocannon(
    {
      url: webhookUrl,
      method: 'POST',
      connections: CONNECTIONS,
      amount: JOBS,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1 }),
    },
    (error, result) => (error ? reject(error) : resolve(result)),
  );
});

let done = 0;
let failed = 0;
while (done + failed < JOBS) {
  await new Promise((r) => setTimeout(r, 200));
  const counts = await jobCounts(server, recipe.id);
  done = counts.succeeded ?? 0;
  failed = counts.failed ?? 0;
  const fifth = Math.floor((done / JOBS) * 5);
  if (fifth >= 1 && rssAt.first === undefined) rssAt.first = process.memoryUsage().rss;
  if (fifth >= 5) rssAt.last = process.memoryUsage().rss;
  if (performance.now() - started > 600_000) throw new Error(`Only ${done} of ${JOBS} jobs finished in 10 minutes`);
}
const seconds = (performance.now() - started) / 1000;
const load = await delivered;
clearInterval(sampler);
await server.close();
api.stop();
const mib = (n) => Math.round(n / 1024 / 1024);
report('jobs', {
  jobs: JOBS,
  delivered2xx: load['2xx'],
  succeeded: done,
  failed,
  seconds: Number(seconds.toFixed(2)),
  jobsPerSecond: Math.round(JOBS / seconds),
  peakRssMiB: mib(peakRss),
  rssAfterFirstFifthMiB: mib(rssAt.first ?? 0),
  rssAtEndMiB: mib(rssAt.last ?? process.memoryUsage().rss),
  target: '>= 1000 jobs/s, flat RSS',
  forScale: 'n8n 2.8 on this machine: ~90 workflows/s (webhook → set fields)',
});
process.exit(0);
