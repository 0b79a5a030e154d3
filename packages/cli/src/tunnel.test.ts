/**
 * Connections through an on-premises agent, end to end on loopback: a connector with
 * `secureTunnel: true`, a connection naming an agent group, a real `weft agent` (the built
 * binary) dialling a real server, and a private API that answers only the agent: it looks up
 * which process holds the other end of each connection (/proc), and refuses every other client.
 * With connector isolation on (the default: connector hosts relay their HTTP to the server) and
 * off (the server's own dispatcher).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@weft/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type RunningWeft, sendBytes, startWeft } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/tunnel', import.meta.url));
const MB = 1024 * 1024;
const KEY = 'k-private-123';

/** Whether the process `pid` holds the local end of the TCP connection from loopback `port`. */
function heldBy(pid: number, port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(hex)) inodes.add(f[9]);
    }
  }
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? '')) return true;
    } catch {}
  }
  return false;
}

/** Current resident memory of this process (the server runs in it), in bytes. */
function rss(): number {
  return process.memoryUsage().rss;
}

/** How far the resident memory rose above where it was while `work` ran (sampled every 5 ms). */
async function peakDuring(work: () => Promise<void>): Promise<number> {
  const before = rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rss()) - before;
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each([
  ['on', {}],
  ['off', { WEFT_ISOLATION: 'off' }],
])('a connection through an agent, isolation %s', (isolation, env) => {
  let dir: string;
  let weft: RunningServer;
  let target: Server;
  let config: string;
  let call: ReturnType<typeof apiCall>;
  const counts = { agent: 0, refused: 0 };
  let agent: RunningWeft | undefined;
  let agentKey: string;
  let baseUrl: string;

  async function runAgent(): Promise<RunningWeft> {
    agent = startWeft(['agent', '--server', weft.url, '--key', agentKey, '--config', config]);
    await agent.waitFor(/as agent "plant-1"/);
    return agent;
  }

  const api = (method: string, path: string, body?: unknown) => call(weft.url, method, path, body);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-tunnel-'));
    // The private API: only connections the agent's process holds are served.
    const owner = new WeakMap<Socket, boolean>();
    target = createServer((req: IncomingMessage, res) => {
      const socket = req.socket;
      let fromAgent = owner.get(socket);
      if (fromAgent === undefined) {
        fromAgent = agent?.pid !== undefined && heldBy(agent.pid, socket.remotePort ?? 0);
        owner.set(socket, fromAgent);
      }
      if (!fromAgent) {
        counts.refused++;
        res.statusCode = 403;
        return void res.end('{"error":"only the agent may call"}');
      }
      counts.agent++;
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.statusCode = 401;
        return void res.end('{}');
      }
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/me') return void res.end('{"me":"weft"}');
      if (url.pathname === '/hello') return void res.end('{"hello":"from inside"}');
      if (url.pathname === '/slow') return; // never answers
      if (url.pathname === '/items') return void res.end('[{"id":"a"},{"id":"b"}]');
      if (url.pathname === '/colours') return void res.end('["red","green"]');
      if (url.pathname === '/upload') {
        let bytes = 0;
        req.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        return void req.on('end', () => res.end(JSON.stringify({ bytes })));
      }
      if (url.pathname === '/download') {
        res.setHeader('content-type', 'application/octet-stream');
        return sendBytes(res, Number(url.searchParams.get('bytes')));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
    config = join(dir, 'agent.yaml');
    await writeFile(config, `targets:\n  - { host: 127.0.0.1, port: ${port}, scheme: http }\n`);
    weft = await startServer({
      port: 0,
      home: join(dir, 'home'),
      connectorDirs: [FIXTURES],
      env: {
        ...process.env,
        WEFT_AGENT_HEARTBEAT_MS: '300',
        WEFT_JOB_RETRY_BASE_MS: '300',
        WEFT_JOB_MAX_ATTEMPTS: '20',
        ...env,
      },
      onWarning: () => {},
      log: () => {},
    });
    call = apiCall(weft.token.token);
    agentKey = (await api('POST', '/api/agents', { name: 'plant-1', group: 'plant' })).key;
    await runAgent();
    await api('POST', '/api/connections', {
      name: 'erp',
      connector: 'private',
      values: { base_url: baseUrl, api_key: KEY },
      agentGroup: 'plant',
    });
  }, 60_000);

  afterAll(async () => {
    await weft?.close();
    await agent?.stop('SIGKILL');
    target?.closeAllConnections();
    await new Promise((r) => target?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the agent group, and refuses one for a connector without secureTunnel', async () => {
    expect(await api('GET', '/api/connections/erp')).toMatchObject({ agentGroup: 'plant' });
    expect(await api('PATCH', '/api/connections/erp', { agentGroup: null })).not.toHaveProperty('agentGroup');
    expect(await api('PATCH', '/api/connections/erp', { agentGroup: 'plant' })).toMatchObject({ agentGroup: 'plant' });
    const listed = await api('GET', '/api/connections');
    expect(listed.items.find((c: { name: string }) => c.name === 'erp')).toMatchObject({ agentGroup: 'plant' });
    const refused = await api('POST', '/api/connections', {
      name: 'not-tunnelled',
      connector: 'plain',
      values: {},
      agentGroup: 'plant',
    }).catch((e: Error) => e.message);
    expect(refused).toMatch(/400.*agentGroup.*does not declare `secureTunnel: true`/);
  });

  it('runs test, an action and a pick list through the agent', async () => {
    const before = { ...counts };
    expect(await api('POST', '/api/connections/erp/test')).toEqual({ ok: true, message: 'The connection works' });
    const run = await api('POST', '/api/connectors/private/run', { connection: 'erp', action: 'hello', input: {} });
    expect(run.output).toEqual({ hello: 'from inside' });
    const picked = await api('POST', '/api/connectors/private/fields', { connection: 'erp', pickList: 'colours' });
    expect(picked.options).toEqual([
      ['red', 'red'],
      ['green', 'green'],
    ]);
    expect(counts.agent - before.agent).toBe(3);
    expect(counts.refused).toBe(0);
  });

  it("a host outside the agent's list comes back naming the agent and the host", async () => {
    await api('PATCH', '/api/connections/erp', { values: { base_url: 'http://127.0.0.1:1' } });
    try {
      const refused = await api('POST', '/api/connectors/private/run', {
        connection: 'erp',
        action: 'hello',
        input: {},
      }).catch((e: Error) => e.message);
      expect(refused).toMatch(/AGENT_HOST_NOT_ALLOWED/);
      expect(refused).toMatch(/agent \\"plant-1\\" may not reach http:\/\/127\.0\.0\.1:1/);
    } finally {
      await api('PATCH', '/api/connections/erp', { values: { base_url: baseUrl } });
    }
  });

  it("a request that outlasts its own deadline before the agent's says which agent group it went through", async () => {
    const late = await api('POST', '/api/connectors/private/run', {
      connection: 'erp',
      action: 'hello_soon',
      input: {},
    }).catch((e: Error) => e.message);
    expect(late).toMatch(/HTTP_TIMEOUT/);
    expect(late).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/slow: no response within 300 ms, through agent group \\"plant\\"/,
    );
  });

  it('polls through the agent, and the jobs it makes run their action through it', async () => {
    const before = counts.agent;
    const made = await api('POST', '/api/recipes', {
      name: `poll ${isolation}`,
      trigger: { connector: 'private', connection: 'erp', trigger: 'new_items', input: {} },
      steps: [{ id: 'hello', connector: 'private', connection: 'erp', action: 'hello', input: {} }],
    });
    await api('POST', `/api/recipes/${made.id}/start`);
    const jobs = await until('two jobs to succeed', async () => {
      const page = await api('GET', `/api/jobs?recipeId=${made.id}`);
      const done = page.items.filter((j: { status: string }) => j.status === 'succeeded');
      return done.length === 2 ? done : undefined;
    });
    expect(jobs).toHaveLength(2);
    await api('POST', `/api/recipes/${made.id}/stop`);
    expect(counts.agent - before).toBeGreaterThanOrEqual(3);
    expect(counts.refused).toBe(0);
  }, 60_000);

  it('streams 50 MB up and down through an action without holding them whole', async () => {
    const round = async () => {
      const up = await api('POST', '/api/connectors/private/run', {
        connection: 'erp',
        action: 'upload',
        input: { mb: 50 },
      });
      expect(up.output).toEqual({ bytes: 50 * MB });
      const down = await api('POST', '/api/connectors/private/run', {
        connection: 'erp',
        action: 'download',
        input: { mb: 50 },
      });
      expect(down.output).toEqual({ bytes: 50 * MB });
    };
    // The first round settles the pools and the collector; a body held whole would show in the second.
    const atRest = rss();
    const firstPeak = await peakDuring(round);
    const first = rss();
    const secondPeak = await peakDuring(round);
    const grown = rss() - first;
    console.log(
      `isolation ${isolation}: server process RSS ${(atRest / MB).toFixed(0)} MB at rest, peak +${(firstPeak / MB).toFixed(1)} MB ` +
        `during round 1, +${(secondPeak / MB).toFixed(1)} MB during round 2, +${(grown / MB).toFixed(1)} MB after it (50 MB each way per round)`,
    );
    expect(grown).toBeLessThan(40 * MB);
    expect(secondPeak).toBeLessThan(50 * MB);
  }, 180_000);

  it('fails a job step with AGENT_OFFLINE while no agent is online, retries it, and succeeds once one is back', async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
    await until('the session to close', () => (weft.context.agentHub.online('plant-1') ? undefined : true));
    const made = await api('POST', '/api/recipes', {
      name: `offline ${isolation}`,
      trigger: { connector: 'private', connection: 'erp', trigger: 'hook', input: {} },
      steps: [{ id: 'hello', connector: 'private', connection: 'erp', action: 'hello', input: {} }],
    });
    const started = await api('POST', `/api/recipes/${made.id}/start`);
    const fired = await fetch(started.webhookUrl ?? made.webhookUrl, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(fired.status).toBeLessThan(300);
    const waiting = await until('a retry after AGENT_OFFLINE', async () => {
      const page = await api('GET', `/api/jobs?recipeId=${made.id}`);
      const job = page.items[0] && (await api('GET', `/api/jobs/${page.items[0].id}`));
      return job?.status === 'pending' && job.error?.code === 'AGENT_OFFLINE' ? job : undefined;
    });
    expect(waiting.error.message).toMatch(/No agent of the group "plant" is online/);
    await runAgent();
    const done = await until('the job to succeed', async () => {
      const job = await api('GET', `/api/jobs/${waiting.id}`);
      return job.status === 'succeeded' ? job : undefined;
    });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
