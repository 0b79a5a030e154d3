// Shared by the runtime benchmarks: a Weft server in this process on a fresh data directory,
// with the bench connector, a connection to the bench API and one running webhook recipe.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const CONNECTORS = fileURLToPath(new URL('./fixtures/runtime', import.meta.url));

export async function startWeft({ apiUrl, steps, runtime = {}, synchronous, isolate }) {
  const { startServer } = await import('../packages/platform/dist/index.js');
  const home = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  const server = await startServer({
    port: 0,
    home,
    connectorDirs: [CONNECTORS],
    env: process.env.WEFT_WORKERS ? { WEFT_WORKERS: process.env.WEFT_WORKERS } : {},
    runtime,
    synchronous,
    isolate,
    onWarning: () => {},
  });
  const call = async (method, path, body) => {
    const res = await request(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  await call('POST', '/api/connections', {
    name: 'bench',
    connector: 'bench',
    values: { base_url: `${apiUrl ?? 'http://127.0.0.1:9'}/` },
  });
  const recipe = await call('POST', '/api/recipes', {
    name: 'bench',
    trigger: { connector: 'bench', connection: 'bench', trigger: 'hook', input: {} },
    steps,
    concurrency: 64,
  });
  await call('POST', `/api/recipes/${recipe.id}/start`);
  return { server, recipe, call, webhookUrl: recipe.webhookUrl };
}

/** Counts a recipe's jobs by status straight from the store. */
export async function jobCounts(server, recipeId) {
  const counts = {};
  let cursor = null;
  do {
    const page = await server.store.listJobs({ recipeId, limit: 1000, cursor });
    for (const job of page.items) counts[job.status] = (counts[job.status] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}
