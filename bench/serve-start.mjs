// bench/serve-start: how long `weft serve --port 0` takes to be ready with the built-in
// connectors loaded, against the same start with `--no-builtins` (the baseline), each on a fresh
// `WEFT_HOME` ("cold") and again on the home the cold start left ("warm"). Two sets of connector
// folders: the checkout's default (the example connectors of `connectors/`) and none (an empty
// folder), where the built-ins are all there is. Target: ratio (with / without) <= 1.1.
// Besides wall time, the CPU time the start cost (the server, its connector hosts and esbuild,
// from /proc when there is one): on a shared machine it moves far less than wall time does.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-serve-'));
const empty = join(scratch, 'no-connectors');
mkdirSync(empty);

/** CPU ms of `root` and every process below it (ended children it waited for included); undefined without /proc. */
function treeCpuMs(root) {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm)": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
      stats.set(Number(entry), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** One start: ms until the "Weft is running at" line, and until /api/health answers 200. */
async function start(home, { builtins, connectors }) {
  const env = { ...process.env, WEFT_HOME: home };
  delete env.WEFT_BUILTINS;
  delete env.WEFT_CONNECTORS;
  if (connectors) env.WEFT_CONNECTORS = connectors;
  const args = [bin, 'serve', '--port', '0', ...(builtins ? [] : ['--no-builtins'])];
  const began = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /Weft is running at (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    exited.then(([code]) => reject(new Error(`weft serve exited with ${code}: ${stderr}`)));
  });
  const runningMs = performance.now() - began;
  let healthMs;
  while (healthMs === undefined) {
    const res = await fetch(`${url}/api/health`).catch(() => undefined);
    if (res?.status === 200) healthMs = performance.now() - began;
    await res?.arrayBuffer();
  }
  const cpuMs = treeCpuMs(child.pid);
  child.kill('SIGTERM');
  await exited;
  return { runningMs, healthMs, cpuMs };
}

/** `RUNS` cold and warm starts with and without the built-ins, alternating. */
async function scenario(connectors) {
  const times = { on: { cold: [], warm: [] }, off: { cold: [], warm: [] } };
  for (let i = 0; i < RUNS; i++) {
    for (const side of i % 2 ? ['off', 'on'] : ['on', 'off']) {
      const home = mkdtempSync(join(scratch, 'home-'));
      const options = { builtins: side === 'on', connectors };
      times[side].cold.push(await start(home, options));
      times[side].warm.push(await start(home, options));
      rmSync(home, { recursive: true, force: true });
    }
  }
  const figures = {};
  for (const when of ['cold', 'warm']) {
    const ms = (side, key) => Math.round(median(times[side][when].map((t) => t[key])));
    figures[when] = {
      withBuiltinsMs: ms('on', 'runningMs'),
      withoutBuiltinsMs: ms('off', 'runningMs'),
      ratio: Number((ms('on', 'runningMs') / ms('off', 'runningMs')).toFixed(2)),
      healthWithBuiltinsMs: ms('on', 'healthMs'),
      healthWithoutBuiltinsMs: ms('off', 'healthMs'),
      cpuWithBuiltinsMs: ms('on', 'cpuMs'),
      cpuWithoutBuiltinsMs: ms('off', 'cpuMs'),
      cpuRatio: Number((ms('on', 'cpuMs') / ms('off', 'cpuMs')).toFixed(2)),
    };
  }
  return figures;
}

// One start of each first, unmeasured: the file system cache and Node's compile cache settle.
await start(mkdtempSync(join(scratch, 'home-')), { builtins: true, connectors: empty });
const only = process.env.BENCH_SCENARIO; // `examples` or `builtinsOnly`: run only that one
report('serve-start', {
  runs: RUNS,
  ...(only === 'builtinsOnly' ? {} : { examples: await scenario(undefined) }),
  ...(only === 'examples' ? {} : { builtinsOnly: await scenario(empty) }),
  target: 'ratio <= 1.1',
  loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
});
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
