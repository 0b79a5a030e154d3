/**
 * On-premises agents end to end on loopback: the Weft server (startServer), a private target
 * API, and `weft agent` processes (the built binary) dialling out to the server.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AgentDispatcher, type RunningServer, startServer } from '@weft/platform';
import { defineConnector } from '@weft/sdk';
import { execute } from '@weft/sdk/runtime';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { apiCall, type RunningWeft, runWeft, sendBytes, startWeft, waitUntil } from './test-helpers.js';

const MB = 1024 * 1024;
let dir: string;
let weft: RunningServer;
let target: Server;
let targetUrl: string;
/** A target that takes connections and never answers, listed with `timeoutSeconds: 0.5`. */
let hang: Server;
let hangUrl: string;
let config: string;
let call: ReturnType<typeof apiCall>;
const agents: RunningWeft[] = [];

/** Peak and current resident memory of a process, in bytes (Linux). */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1]);
  return { peak: kb('VmHWM:') * 1024, now: kb('VmRSS:') * 1024 };
}

async function createAgent(name: string, group: string): Promise<string> {
  const answer = await call(weft.url, 'POST', '/api/agents', { name, group });
  return answer.key;
}

async function runAgent(key: string, name: string): Promise<RunningWeft> {
  const agent = startWeft(['agent', '--server', weft.url, '--key', key, '--config', config]);
  agents.push(agent);
  await agent.waitFor(new RegExp(`as agent "${name}"`));
  return agent;
}

function via(group: string) {
  return new AgentDispatcher(weft.context.agentHub, group, { timeoutMs: 30_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-agent-'));
  target = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hello') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hello: 'from inside', auth: req.headers.authorization ?? null }));
    } else if (url.pathname === '/upload') {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => res.end(JSON.stringify({ bytes })));
    } else if (url.pathname === '/download') {
      sendBytes(res, Number(url.searchParams.get('bytes')));
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('slow'), 100);
    } else if (url.pathname === '/never') {
      // Never answers (the agent's timeout ends it).
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  hang = createServer(() => {});
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
  hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
  config = join(dir, 'agent.yaml');
  await writeFile(
    config,
    `targets:\n  - { host: 127.0.0.1, port: ${(target.address() as AddressInfo).port}, scheme: http }\n` +
      `  - { host: 127.0.0.1, port: ${(hang.address() as AddressInfo).port}, scheme: http, timeoutSeconds: 0.5 }\n`,
  );
  await mkdir(join(dir, 'no-connectors'));
  weft = await startServer({
    port: 0,
    home: join(dir, 'home'),
    connectorDirs: [join(dir, 'no-connectors')],
    env: { ...process.env, WEFT_AGENT_HEARTBEAT_MS: '300', WEFT_ISOLATION: 'off' },
    onWarning: () => {},
    log: () => {},
  });
  call = apiCall(weft.token.token);
}, 30_000);

afterAll(async () => {
  // The server stops while agents are connected: their sessions must not hold it open.
  await weft?.close();
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await new Promise((r) => target?.close(r));
  hang?.closeAllConnections();
  await new Promise((r) => hang?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('weft agent', () => {
  it('refuses bad flags and bad configuration with one message and exit 2', async () => {
    const noServer = await runWeft(['agent', '--key', 'weft_agent_x']);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/--server is required/);
    const badKey = await runWeft(['agent', '--server', 'http://127.0.0.1:9', '--key', 'nope']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/not an agent key/);
    await writeFile(join(dir, 'bad.yaml'), 'targets:\n  - { host: x, port: 99999, scheme: http }\n');
    await writeFile(join(dir, 'slow.yaml'), 'timeoutSeconds: 0\ntargets: []\n');
    const badTimeout = await runWeft([
      'agent',
      '--server',
      'http://127.0.0.1:9',
      '--key',
      'weft_agent_x',
      '--config',
      join(dir, 'slow.yaml'),
    ]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/slow\.yaml: timeoutSeconds must be a number of seconds above 0/);
    const badConfig = await runWeft([
      'agent',
      '--server',
      'http://127.0.0.1:9',
      '--key',
      'weft_agent_x',
      '--config',
      join(dir, 'bad.yaml'),
    ]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/targets\[0\]\.port must be a port number/);
    expect(badConfig.stderr).not.toMatch(/\n\s+at /);
  });

  it('carries a request to an allowed target, and refuses other hosts naming the agent and the host', async () => {
    const key = await createAgent('edge-1', 'plant');
    expect(key).toMatch(/^weft_agent_[A-Za-z0-9_-]{43}$/);
    await runAgent(key, 'edge-1');
    const res = await request(`${targetUrl}/hello`, {
      dispatcher: via('plant'),
      headers: { authorization: 'Bearer secret-of-the-connection' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ hello: 'from inside', auth: 'Bearer secret-of-the-connection' });

    const refused = await request('http://127.0.0.1:1/private', { dispatcher: via('plant') }).catch((e) => e);
    expect(refused.code).toBe('AGENT_HOST_NOT_ALLOWED');
    expect(refused.message).toMatch(/agent "edge-1" may not reach http:\/\/127\.0\.0\.1:1/);

    const listed = await call(weft.url, 'GET', '/api/agents');
    const view = listed.items.find((a: { name: string }) => a.name === 'edge-1');
    expect(view).toMatchObject({ group: 'plant', online: true, version: '0.1.0' });
    expect(view.requestsServed).toBeGreaterThanOrEqual(1);
    expect(view).not.toHaveProperty('keyHash');
  });

  it("a target's timeout comes back naming the agent, the host and the wait: timeoutSeconds, or the request's own", async () => {
    const hangHost = new URL(hangUrl).host;
    const started = Date.now();
    const listed = await request(`${hangUrl}/never`, { dispatcher: via('plant') }).catch((e) => e);
    const took = Date.now() - started;
    expect(listed.code).toBe('HTTP_TIMEOUT');
    expect(listed.message).toBe(
      `agent "edge-1": GET ${hangUrl}/never timed out: ${hangHost} sent no response within 0.5 s (UND_ERR_HEADERS_TIMEOUT)`,
    );
    expect(took).toBeLessThan(5_000);
    // The request's own timeout, shorter than none set for the target, is the agent's wait too.
    const quick = new AgentDispatcher(weft.context.agentHub, 'plant', { timeoutMs: 300 });
    const own = await request(`${targetUrl}/slow`, { dispatcher: quick }).then(
      (res) => res.body.text(),
      (e) => e,
    );
    expect(own).toBe('slow');
    const never = await request(`${targetUrl}/never`, { dispatcher: quick }).catch((e) => e);
    expect(never.code).toBe('HTTP_TIMEOUT');
    expect(never.message).toMatch(
      new RegExp(
        `^agent "edge-1": GET ${targetUrl}/never timed out: ${new URL(targetUrl).host} sent no response within 0\\.3 s`,
      ),
    );
  });

  it("carries the SDK's HTTP pipeline unchanged: an action's request through the dispatcher", async () => {
    const connector = defineConnector({
      title: 'Private',
      connection: {
        fields: [{ name: 'base_url' }, { name: 'api_key', controlType: 'password' }],
        baseUri: (ctx) => ctx.connection.base_url as string,
        authorization: {
          type: 'api_key',
          apply: (ctx) => ctx.headers({ authorization: `Bearer ${ctx.connection.api_key}` }),
        },
      },
      actions: { hello: { execute: (ctx) => ctx.get('hello') } },
    });
    const result = await execute(connector, 'actions.hello.execute', {
      connection: { base_url: targetUrl, api_key: 'k-123' },
      dispatcher: via('plant'),
    });
    expect(result).toMatchObject({ kind: 'output', output: { hello: 'from inside', auth: 'Bearer k-123' } });
  });

  it('streams 50 MB up and down; memory does not grow with the bytes moved', async () => {
    const agent = agents[0];
    const size = 50 * MB;
    async function* upload() {
      const chunk = Buffer.alloc(64 * 1024, 97);
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    }
    async function round(): Promise<void> {
      const up = await request(`${targetUrl}/upload`, {
        method: 'POST',
        body: Readable.from(upload()),
        dispatcher: via('plant'),
      });
      expect(await up.body.json()).toEqual({ bytes: size });
      const down = await request(`${targetUrl}/download?bytes=${size}`, { dispatcher: via('plant') });
      let received = 0;
      for await (const chunk of down.body) received += (chunk as Buffer).length;
      expect(received).toBe(size);
    }
    // Garbage is collected lazily (V8 lets external buffers pile up to ~64 MB before it
    // collects), so the peak after one round is not the measure: a body held whole would
    // raise the peak again with each further round.
    const before = memoryOf(agent.pid!).now;
    await round();
    const first = memoryOf(agent.pid!).peak;
    const serverFirst = process.memoryUsage().rss;
    await round();
    await round();
    const third = memoryOf(agent.pid!).peak;
    const serverThird = process.memoryUsage().rss;
    console.log(
      `3 x 50 MB each way: agent RSS ${(before / MB).toFixed(0)} MB at rest, peak +${((first - before) / MB).toFixed(1)} MB after round 1, ` +
        `+${((third - first) / MB).toFixed(1)} MB more after rounds 2-3; server process RSS +${((serverThird - serverFirst) / MB).toFixed(1)} MB over rounds 2-3`,
    );
    expect(third - first).toBeLessThan(16 * MB);
    expect(serverThird - serverFirst).toBeLessThan(32 * MB);
  }, 120_000);

  it('fails with AGENT_OFFLINE when the agent is gone, and works again once it is back', async () => {
    const [agent] = agents.splice(0, 1);
    await agent.stop('SIGKILL');
    await waitUntil(() => !weft.context.agentHub.online('edge-1'), 'the session to close');
    const offline = await request(`${targetUrl}/hello`, { dispatcher: via('plant') }).catch((e) => e);
    expect(offline.code).toBe('AGENT_OFFLINE');
    expect(offline.message).toMatch(/No agent of the group "plant" is online: start one .*weft agent/);

    const { key } = await call(weft.url, 'POST', '/api/agents/edge-1/rotate');
    await runAgent(key, 'edge-1');
    const res = await request(`${targetUrl}/hello`, { dispatcher: via('plant') });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }, 30_000);

  it('with two agents, one killed mid-burst of 500: every request completes or fails clearly', async () => {
    const first = await runAgent(await createAgent('pair-1', 'pair'), 'pair-1');
    await runAgent(await createAgent('pair-2', 'pair'), 'pair-2');
    const burst = Array.from({ length: 500 }, () =>
      request(`${targetUrl}/slow`, { dispatcher: via('pair') }).then(
        async (res) => ({ ok: true as const, text: await res.body.text() }),
        (error: { code?: string; message: string }) => ({
          ok: false as const,
          code: error.code,
          message: error.message,
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    await first.stop('SIGKILL');
    const outcomes = await Promise.all(burst);
    const failed = outcomes.filter((o) => !o.ok);
    const done = outcomes.filter((o) => o.ok);
    console.log(`burst of 500 with one agent killed: ${done.length} completed, ${failed.length} failed`);
    for (const o of done) expect(o.text).toBe('slow');
    for (const o of failed) {
      expect(o.code).toBe('AGENT_DISCONNECTED');
      expect(o.message).toMatch(/agent "pair-1"/);
    }
    expect(failed.length).toBeGreaterThan(0);
    const next = await request(`${targetUrl}/hello`, { dispatcher: via('pair') });
    expect(next.statusCode).toBe(200);
    await next.body.dump();
  }, 60_000);

  it('refuses a revoked or rotated-away key, before any upgrade', async () => {
    const key = await createAgent('gone', 'elsewhere');
    const agent = await runAgent(key, 'gone');
    await call(weft.url, 'DELETE', '/api/agents/gone');
    expect(await agent.exited).toBe(2);
    expect(agent.stderr()).toMatch(/refused the agent key/);
    const status = (bearer: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${weft.url.replace('http', 'ws')}/agents/connect`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', reject);
      });
    expect(await status(key)).toBe(401);
    const old = await createAgent('rotated', 'elsewhere');
    await call(weft.url, 'POST', '/api/agents/rotated/rotate');
    expect(await status(old)).toBe(401);
    expect(await status('weft_agent_made-up')).toBe(401);
    const missing = await call(weft.url, 'GET', '/api/agents/gone').catch((e: Error) => e.message);
    expect(missing).toMatch(/404.*AGENT_NOT_FOUND/);
  }, 30_000);
});
