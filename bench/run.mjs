// Runs every benchmark in turn (`npm run bench`), or the ones named: `npm run bench -- cli-start`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const all = [
  'http-overhead',
  'cli-start',
  'poll-dedup',
  'webhook-ingest',
  'jobs',
  'isolation',
  'cluster',
  'queue-claim',
  'agent',
  'openapi-import',
  'serve-start',
];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = false;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`Unknown benchmark "${name}". Benchmarks: ${all.join(', ')}`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.mjs`, import.meta.url))], {
    stdio: 'inherit',
  });
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
