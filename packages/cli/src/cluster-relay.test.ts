/**
 * Tunnelled connections in a cluster of real `weft serve` processes on one PostgreSQL: the agent
 * holds a session on one process, and a step that runs on another is relayed to it over the
 * cluster's internal route (`/agents/relay`) — jobs on a worker-only process, 8 MB each way,
 * `AGENT_OFFLINE` from the worker once the agent is gone, then the agent on another process and
 * the API process relaying to it, many requests at once. The internal route refuses anything
 * not signed with the cluster's key, before the upgrade.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { type ClusterNode, startCluster, type TestCluster } from './cluster-harness.js';
import { type RunningWeft, sendBytes, startServer, startWeft, type TestServer } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/tunnel', import.meta.url));
const MB = 1024 * 1024;
const KEY = 'k-private-123';

let cluster: TestCluster;
let api: ClusterNode;
let worker: ClusterNode;
let target: TestServer;
let dir: string;
let config: string;
let agentKey: string;
let agent: RunningWeft | undefined;
let second: ClusterNode;

const call = (node: ClusterNode, method: string, path: string, body?: unknown) =>
  cluster.call(node.url, method, path, body);

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startAgent(node: ClusterNode): Promise<void> {
  agent = startWeft(['agent', '--server', node.url, '--key', agentKey, '--config', config]);
  await agent.waitFor(/as agent "plant-1"/);
}

/** The status of a WebSocket upgrade to `path` with these headers (101 when it opens). */
function upgradeStatus(base: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

/** Fires the recipe's webhook on the API process; resolves with the job, once it settles. */
async function fire(recipe: { id: string; webhookUrl: string }, settled: (job: any) => boolean): Promise<any> {
  const before = new Set(
    (await call(api, 'GET', `/api/jobs?recipeId=${recipe.id}`)).items.map((j: { id: string }) => j.id),
  );
  const res = await fetch(recipe.webhookUrl, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBeLessThan(300);
  return until('the job', async () => {
    const page = await call(api, 'GET', `/api/jobs?recipeId=${recipe.id}`);
    const made = page.items.find((j: { id: string }) => !before.has(j.id));
    const job = made && (await call(api, 'GET', `/api/jobs/${made.id}`));
    return job && settled(job) ? job : undefined;
  });
}

/** A process's resident memory, from /proc. */
function rssOf(pid: number | undefined): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** How far each node's resident memory rose above where it was while `work` ran (sampled every 20 ms). */
async function peakGrowth(nodes: ClusterNode[], work: () => Promise<void>): Promise<number[]> {
  const before = nodes.map((n) => rssOf(n.weft.pid));
  const peaks = [...before];
  const timer = setInterval(() => {
    nodes.forEach((n, i) => {
      peaks[i] = Math.max(peaks[i], rssOf(n.weft.pid));
    });
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return peaks.map((peak, i) => peak - before[i]);
}

let recipe: { id: string; webhookUrl: string };
let stalled = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-relay-'));
  target = await startServer((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) return void res.writeHead(401).end('{}');
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/me') return void res.end('{"me":"weft"}');
    if (url.pathname === '/hello') return void res.end('{"hello":"from inside"}');
    if (url.pathname === '/upload') return void res.end(JSON.stringify({ bytes: Buffer.byteLength(body) }));
    if (url.pathname === '/download' && url.searchParams.get('bytes') === String(3 * MB)) {
      // Starts an answer and never ends it: the agent dies while carrying it.
      stalled++;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.write(Buffer.alloc(1024));
    }
    if (url.pathname === '/download') {
      res.setHeader('content-type', 'application/octet-stream');
      return sendBytes(res, Number(url.searchParams.get('bytes')));
    }
    res.writeHead(404).end('{}');
  });
  const port = (target.server.address() as AddressInfo).port;
  config = join(dir, 'agent.yaml');
  await writeFile(config, `targets:\n  - { host: 127.0.0.1, port: ${port}, scheme: http }\n`);
  cluster = await startCluster({
    env: { WEFT_AGENT_HEARTBEAT_MS: '300', WEFT_JOB_RETRY_BASE_MS: '300', WEFT_JOB_MAX_ATTEMPTS: '30' },
  });
  [api, worker] = await Promise.all([
    cluster.node({ roles: 'api,ingress', connectors: [FIXTURES] }),
    cluster.node({ roles: 'worker', connectors: [FIXTURES] }),
  ]);
  agentKey = (await call(api, 'POST', '/api/agents', { name: 'plant-1', group: 'plant' })).key;
  await call(api, 'POST', '/api/connections', {
    name: 'erp',
    connector: 'private',
    values: { base_url: target.url, api_key: KEY },
    agentGroup: 'plant',
  });
  const made = await call(api, 'POST', '/api/recipes', {
    name: 'through the agent',
    trigger: { connector: 'private', connection: 'erp', trigger: 'hook', input: {} },
    steps: [
      { id: 'hello', connector: 'private', connection: 'erp', action: 'hello', input: {} },
      { id: 'up', connector: 'private', connection: 'erp', action: 'upload', input: { mb: 8 } },
      { id: 'down', connector: 'private', connection: 'erp', action: 'download', input: { mb: 8 } },
    ],
  });
  const started = await call(api, 'POST', `/api/recipes/${made.id}/start`);
  recipe = { id: made.id, webhookUrl: started.webhookUrl ?? made.webhookUrl };
}, 120_000);

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await cluster?.close();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('an agent on one process of a cluster, steps on another', () => {
  test('the internal route refuses whoever does not hold the cluster key, before the upgrade', async () => {
    for (const node of [api, worker]) {
      const path = '/agents/relay?group=plant';
      expect(await upgradeStatus(node.url, path, {})).toBe(401);
      const admin = `Bearer ${cluster.env.WEFT_ADMIN_TOKEN}`;
      expect(await upgradeStatus(node.url, path, { authorization: admin })).toBe(401);
      const forged = `WeftRelay node-1.${Date.now()}.${'A'.repeat(22)}.${'A'.repeat(43)}`;
      expect(await upgradeStatus(node.url, path, { authorization: forged })).toBe(401);
    }
  });

  test('a job on the worker-only process goes through the agent held by the API process, 8 MB each way', async () => {
    await startAgent(api);
    const job = await fire(recipe, (j) => j.status === 'succeeded' || j.status === 'failed');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const outputs = Object.fromEntries(job.steps.map((s: { id: string; output: unknown }) => [s.id, s.output]));
    expect(outputs).toMatchObject({ hello: { hello: 'from inside' }, up: { bytes: 8 * MB }, down: { bytes: 8 * MB } });
    const seen = await until('the agent to count what it served', async () => {
      const agent = await call(api, 'GET', '/api/agents/plant-1');
      return agent.requestsServed >= 3 ? agent : undefined;
    });
    expect(seen.online).toBe(true);
  }, 90_000);

  test('50 MB each way through the relay, held whole by neither process', async () => {
    const made = await call(api, 'POST', '/api/recipes', {
      name: 'large bodies',
      trigger: { connector: 'private', connection: 'erp', trigger: 'hook', input: {} },
      steps: [
        { id: 'up', connector: 'private', connection: 'erp', action: 'upload', input: { mb: 50 } },
        { id: 'down', connector: 'private', connection: 'erp', action: 'download', input: { mb: 50 } },
      ],
    });
    const started = await call(api, 'POST', `/api/recipes/${made.id}/start`);
    const large = { id: made.id, webhookUrl: started.webhookUrl ?? made.webhookUrl };
    const round = async () => {
      const job = await fire(large, (j) => j.status === 'succeeded' || j.status === 'failed');
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.steps.map((s: { output: unknown }) => s.output)).toEqual([{ bytes: 50 * MB }, { bytes: 50 * MB }]);
    };
    // The first round settles pools and heaps; a body held whole would show in the second.
    await round();
    const peaks = await peakGrowth([api, worker], round);
    console.log(
      `relayed 50 MB each way: resident memory rose by at most ${(peaks[0] / MB).toFixed(1)} MB on the process ` +
        `holding the agent, ${(peaks[1] / MB).toFixed(1)} MB on the worker relaying to it`,
    );
    for (const peak of peaks) expect(peak).toBeLessThan(50 * MB);
  }, 180_000);

  test('with the agent gone, the worker fails the step with AGENT_OFFLINE (and retries it)', async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
    await until('the agent to be offline', async () =>
      (await call(api, 'GET', '/api/agents/plant-1')).online ? undefined : true,
    );
    // A recipe of its own: its job keeps retrying, and jobs of one recipe run in order.
    const made = await call(api, 'POST', '/api/recipes', {
      name: 'while the agent is away',
      trigger: { connector: 'private', connection: 'erp', trigger: 'hook', input: {} },
      steps: [{ id: 'hello', connector: 'private', connection: 'erp', action: 'hello', input: {} }],
    });
    const started = await call(api, 'POST', `/api/recipes/${made.id}/start`);
    const job = await fire({ id: made.id, webhookUrl: started.webhookUrl ?? made.webhookUrl }, (j) => {
      return j.status === 'pending' && j.error?.code === 'AGENT_OFFLINE';
    });
    expect(job.error.message).toMatch(/No agent of the group "plant" is online/);
  }, 60_000);

  test('the agent on another worker process: the API process and the worker relay to it, many requests at once', async () => {
    second = await cluster.node({ roles: 'worker,ingress', connectors: [FIXTURES] });
    await startAgent(second);
    // The API process runs `test` and actions itself: relayed to the second process.
    await until('the API process to reach the agent', async () => {
      const tested = await call(api, 'POST', '/api/connections/erp/test');
      return tested.ok ? tested : undefined;
    });
    const runs = await Promise.all(
      Array.from({ length: 40 }, () =>
        call(api, 'POST', '/api/connectors/private/run', { connection: 'erp', action: 'hello', input: {} }),
      ),
    );
    expect(runs.every((r) => r.output?.hello === 'from inside')).toBe(true);
    const job = await fire(recipe, (j) => j.status === 'succeeded' || j.status === 'failed');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  }, 90_000);

  test('the agent dying mid-request fails the relayed request with AGENT_DISCONNECTED, naming it', async () => {
    const running = call(api, 'POST', '/api/connectors/private/run', {
      connection: 'erp',
      action: 'download',
      input: { mb: 3 },
    }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await until('the download to start', async () => (stalled > 0 ? true : undefined));
    await agent?.stop('SIGKILL');
    agent = undefined;
    const failed = await running;
    expect(failed).toMatch(/AGENT_DISCONNECTED/);
    expect(failed).toMatch(/plant-1/);
  }, 60_000);

  test('a process serving relays stops promptly when asked (the relays it serves do not hold it open)', async () => {
    const started = Date.now();
    const code = await Promise.race([
      second.weft.stop('SIGTERM'),
      new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    expect(code).not.toBe('still running');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  test('the process holding the agent dying mid-request fails the relayed request with AGENT_DISCONNECTED, naming it', async () => {
    const third = await cluster.node({ roles: 'ingress', connectors: [FIXTURES] });
    await startAgent(third);
    await until('the API process to reach the agent', async () => {
      const tested = await call(api, 'POST', '/api/connections/erp/test');
      return tested.ok ? tested : undefined;
    });
    const before = stalled;
    const running = call(api, 'POST', '/api/connectors/private/run', {
      connection: 'erp',
      action: 'download',
      input: { mb: 3 },
    }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await until('the download to start', async () => (stalled > before ? true : undefined));
    await third.weft.stop('SIGKILL');
    const failed = await running;
    expect(failed).toMatch(/AGENT_DISCONNECTED/);
    expect(failed).toContain(`The process at ${third.url}`);
  }, 60_000);
});
