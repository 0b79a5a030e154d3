// bench/openapi-import: `weft import openapi` of GitHub's full REST API description
// (@octokit/openapi, ~1,000 operations) as a user runs it: a `weft` process from start to the
// last file written. Figures: wall time and peak RSS (median of BENCH_RUNS runs). Baseline, in
// the same run: a process that only reads and dereferences the spec with @readme/openapi-parser
// (the part of the work the importer does not do itself). Target: <= 10 s. CPU time is printed
// too: on a shared machine the wall time also counts the waits for a core.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const spec = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
// Prints the process's peak RSS (kB) and CPU time (µs) on stderr as it exits.
const PEAK = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\npeak-rss-kb '+u.maxRSS+' cpu-us '+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;
const DEREFERENCE = `const { dereference } = await import('@readme/openapi-parser'); const api = await dereference(${JSON.stringify(spec)}); if (!api.paths) process.exit(1);`;

function run(args, options = {}) {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', PEAK, ...args], { encoding: 'utf8', ...options });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  const [, rssKb, cpuUs] = /peak-rss-kb (\d+) cpu-us (\d+)/.exec(r.stderr) ?? [];
  return { ms, rssMb: Number(rssKb) / 1024, cpuMs: Number(cpuUs) / 1000, stdout: r.stdout };
}

const imports = [];
const parses = [];
let actions = 0;
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-openapi-'));
  const out = join(dir, 'github');
  const r = run([bin, 'import', 'openapi', spec, '--out', out]);
  actions = Number(/(\d+) actions/.exec(r.stdout)?.[1]);
  imports.push(r);
  rmSync(dir, { recursive: true, force: true });
  parses.push(run(['--input-type=module', '-e', DEREFERENCE], { cwd: cli }));
}
const ms = median(imports.map((r) => r.ms));
const baseline = median(parses.map((r) => r.ms));
report('openapi-import', {
  runs: RUNS,
  operations: actions,
  importMs: Math.round(ms),
  importCpuMs: Math.round(median(imports.map((r) => r.cpuMs))),
  importPeakRssMb: Math.round(Math.max(...imports.map((r) => r.rssMb))),
  dereferenceOnlyMs: Math.round(baseline),
  dereferenceOnlyCpuMs: Math.round(median(parses.map((r) => r.cpuMs))),
  dereferencePeakRssMb: Math.round(Math.max(...parses.map((r) => r.rssMb))),
  ratio: Number((ms / baseline).toFixed(2)),
  target: 'importMs <= 10000',
  met: ms <= 10_000,
});
process.exit(ms <= 10_000 ? 0 : 1);
