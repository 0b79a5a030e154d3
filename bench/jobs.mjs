// End-to-end jobs/s: webhook deliveries to a recipe with two actions (each one GET to the bench
// API, which runs in its own process), from the first delivery to the last job succeeded. The
// load comes from autocannon in another process. Peak RSS is sampled through the run, and RSS
// is taken after a fifth of the deliveries and at the end (flat memory).
import { loadFromChild, report, startApi } from './lib.mjs';
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
const delivered = loadFromChild(
  {
    url: webhookUrl,
    method: 'POST',
    connections: CONNECTIONS,
    amount: JOBS,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1 }),
  },
  (responses) => {
    if (responses === Math.floor(JOBS / 5 / 1000) * 1000) rssAt.first = process.memoryUsage().rss;
  },
);

// Every delivery answered 2xx has its job committed and queued; then wait for the queue to drain.
const load = await delivered;
await server.context.jobs.idle();
const counts = await jobCounts(server, recipe.id);
const done = counts.succeeded ?? 0;
const failed = counts.failed ?? 0;
rssAt.last = process.memoryUsage().rss;
const seconds = (performance.now() - started) / 1000;
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
  jobsPerSecond: Math.round(done / seconds),
  peakRssMiB: mib(peakRss),
  rssAfterFirstFifthMiB: mib(rssAt.first ?? 0),
  rssAtEndMiB: mib(rssAt.last ?? process.memoryUsage().rss),
  target: '>= 1000 jobs/s, flat RSS',
  forScale: 'n8n 2.8 on this machine: ~90 workflows/s (webhook → set fields)',
});
process.exit(0);
