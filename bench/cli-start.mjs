// bench/cli-start: `weft exec` of a one-request action vs. `node -e` doing the same request
// with fetch. Target: wall-time ratio <= 2.5.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report, startApi } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const api = await startApi();
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
const settings = join(dir, 'settings.yaml');
const input = join(dir, 'input.json');
writeFileSync(settings, `base_url: ${api.url}\n`);
writeFileSync(input, '{"id": 1}');
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const connector = fileURLToPath(new URL('./fixtures/get/connector.ts', import.meta.url));

const weftArgs = [
  bin,
  'exec',
  'actions.get_item.execute',
  `--connector=${connector}`,
  `--settings=${settings}`,
  `--input=${input}`,
];
const fetchArgs = [
  '-e',
  `fetch(${JSON.stringify(`${api.url}/items/1`)}).then(r => r.json()).then(j => console.log(JSON.stringify(j, null, 2)))`,
];

function time(args) {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0 || !r.stdout.includes('"id": 1')) throw new Error(`run failed: ${r.stderr}`);
  return ms;
}

time(weftArgs);
time(fetchArgs);
const weft = [];
const node = [];
for (let i = 0; i < RUNS; i++) {
  weft.push(time(weftArgs));
  node.push(time(fetchArgs));
}
const w = median(weft);
const n = median(node);
report('cli-start', {
  runs: RUNS,
  weftExecMs: Math.round(w),
  nodeFetchMs: Math.round(n),
  ratio: Number((w / n).toFixed(2)),
  target: '<= 2.5',
});
api.stop();
process.exit(0);
