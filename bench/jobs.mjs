// End-to-end jobs/s: webhook deliveries to a recipe with two actions (each one GET to the bench
// API, which runs in its own process), from the first delivery to the last job succeeded. The
// load comes from autocannon in another process. Peak RSS is sampled through the run, and RSS
// is taken after a fifth of the deliveries and at the end (flat memory).
// Run twice in the same process: connector code in isolated hosts (what `weft serve` does) and
// in the server process (`WEFT_ISOLATION=off`), and the ratio printed.
import { loadFromChild, report, startApi } from './lib.mjs';
import { jobCounts, startWeft } from './runtime.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const mib = (n) => Math.round(n / 1024 / 1024);

async function measure(api, isolate) {
  const { server, recipe, webhookUrl } = await startWeft({
    apiUrl: api.url,
    isolate,
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
  const load = await loadFromChild(
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
  await server.context.jobs.idle();
  const counts = await jobCounts(server, recipe.id);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await server.close();
  const done = counts.succeeded ?? 0;
  return {
    delivered2xx: load['2xx'],
    succeeded: done,
    failed: counts.failed ?? 0,
    seconds: Number(seconds.toFixed(2)),
    jobsPerSecond: Math.round(done / seconds),
    peakRssMiB: mib(peakRss),
    rssAfterFirstFifthMiB: mib(rssAt.first ?? 0),
    rssAtEndMiB: mib(process.memoryUsage().rss),
  };
}

const api = await startApi();
const inProcess = await measure(api, false);
const isolated = await measure(api, true);
api.stop();
report('jobs', {
  jobs: JOBS,
  isolated,
  inProcess,
  isolatedRatio: Number((isolated.jobsPerSecond / inProcess.jobsPerSecond).toFixed(2)),
  target: '>= 1000 jobs/s, flat RSS; isolated >= 0.6 of in-process',
  forScale: 'n8n 2.8 on this machine: ~90 workflows/s (webhook → set fields)',
});
process.exit(0);
