/**
 * On-premises agents across a real private network: the private API runs inside a Linux
 * network namespace, on the namespace's own loopback, where the Weft server (startServer, in
 * this process, in the root namespace) cannot reach it; `weft agent` (the built binary) runs
 * beside it inside the namespace and dials out to the server through a veth pair. Needs root
 * and iproute2 (see __fixtures__/private-network.ts): without them every test fails, naming why.
 */

import { lookup } from 'node:dns/promises';
import { readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AgentDispatcher, type RunningServer, startServer } from '@weft/platform';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateNetwork, type PrivateApi, type PrivateNetwork } from './__fixtures__/private-network.js';
import { apiCall, type RunningWeft, waitUntil } from './test-helpers.js';

const MB = 1024 * 1024;
const HEARTBEAT_MS = 300;
/** `erp`: a `secureTunnel` connector for the private API (create_item, hello, new_items). */
const CONNECTORS = fileURLToPath(new URL('./__fixtures__/private-network/connectors', import.meta.url));
let dir: string;
let network: PrivateNetwork;
let api: PrivateApi;
let weft: RunningServer;
let config: string;
let call: ReturnType<typeof apiCall>;

async function createAgent(name: string, group: string): Promise<string> {
  const answer = await call(weft.url, 'POST', '/api/agents', { name, group });
  return answer.key;
}

/** `weft agent` inside the namespace, dialling the server through the veth. */
async function runAgent(key: string, name: string): Promise<RunningWeft> {
  const agent = network.weft(['agent', '--server', weft.url, '--config', config], { env: { WEFT_AGENT_KEY: key } });
  await agent.waitFor(new RegExp(`as agent "${name}"`));
  return agent;
}

function via(group: string) {
  return new AgentDispatcher(weft.context.agentHub, group, { timeoutMs: 30_000 });
}

/** What a TCP connection from this (the server's) namespace to host:port comes to. */
function dial(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Why the private network could not be made: every test fails with it (none is skipped). */
let unavailable: unknown;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-agent-netns-'));
  try {
    network = await createPrivateNetwork({ hosts: ['erp.internal'] });
  } catch (error) {
    unavailable = error;
    return;
  }
  api = await network.startPrivateApi('erp.internal');
  config = join(dir, 'agent.yaml');
  // Port 9 of erp.internal is listed, but nothing listens there: a target that is down.
  await writeFile(
    config,
    `targets:\n  - { host: erp.internal, port: ${api.port}, scheme: http }\n  - { host: erp.internal, port: 9, scheme: http }\n`,
  );
  // On the veth's root end, not loopback: the agent inside reaches it there (and a server on a
  // non-loopback address does not check Host, docs/running.md "Host names").
  weft = await startServer({
    host: network.rootAddress,
    port: 0,
    home: join(dir, 'home'),
    connectorDirs: [CONNECTORS],
    // Connector isolation on (the default): the connector hosts relay their HTTP to the server.
    env: { ...process.env, WEFT_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    onWarning: () => {},
    log: () => {},
  });
  call = apiCall(weft.token.token);
}, 60_000);

beforeEach(() => {
  if (unavailable) throw unavailable;
});

afterAll(async () => {
  await weft?.close();
  await network?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('weft agent in a private network (Linux network namespace)', () => {
  it("the private API is out of the server's reach: a direct call from its namespace fails", async () => {
    // The namespace itself answers (a refused port means a RST came back through the veth):
    // what is not there is the API, which listens on the namespace's own loopback.
    expect(await dial(network.innerAddress, api.port)).toBe('ECONNREFUSED');
    expect(await dial('127.0.0.1', api.port)).toBe('ECONNREFUSED');
    // Its name resolves inside only (ENOTFOUND, or EAI_AGAIN where DNS is out of reach).
    const resolved = await lookup(api.host).then(
      ({ address }) => address,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(resolved).toMatch(/^E[A-Z_]+$/);
    const direct = await request(`http://127.0.0.1:${api.port}/hello`).catch((error) => error);
    expect(direct).toBeInstanceOf(Error);
  });

  it('carries a request from the server to the private API through the agent', async () => {
    const agent = await runAgent(await createAgent('plant-1', 'plant'), 'plant-1');
    // The agent really runs in the other namespace.
    expect(readlinkSync(`/proc/${agent.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
    const res = await request(`${api.url}/hello`, {
      dispatcher: via('plant'),
      headers: { authorization: 'Bearer secret-of-the-connection' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ hello: 'from inside', auth: 'Bearer secret-of-the-connection' });
    const listed = await call(weft.url, 'GET', '/api/agents/plant-1');
    expect(listed).toMatchObject({ group: 'plant', online: true });
  });

  it('refuses a host outside its config, naming the agent and the host', async () => {
    // The Weft server is reachable from inside, but not on the agent's list.
    const server = new URL(weft.url);
    const refused = await request(`${weft.url}/healthz`, { dispatcher: via('plant') }).catch((e) => e);
    expect(refused.code).toBe('AGENT_HOST_NOT_ALLOWED');
    expect(refused.message).toContain(`agent "plant-1" may not reach http://${server.hostname}:${server.port}`);
    // The list holds names as the URL gives them: the same API under its address is refused too.
    const byAddress = await request(`http://127.0.0.1:${api.port}/hello`, { dispatcher: via('plant') }).catch((e) => e);
    expect(byAddress.code).toBe('AGENT_HOST_NOT_ALLOWED');
    expect(byAddress.message).toContain(`agent "plant-1" may not reach http://127.0.0.1:${api.port}`);
  });

  it('a listed target that is down fails with HTTP_CONNECTION_FAILED, naming the agent and the cause', async () => {
    const down = await request('http://erp.internal:9/hello', { dispatcher: via('plant') }).catch((e) => e);
    expect(down.code).toBe('HTTP_CONNECTION_FAILED');
    expect(down.message).toMatch(/agent "plant-1": GET http:\/\/erp\.internal:9\/hello failed: .*ECONNREFUSED/);
  });

  it('a target that never answers times out at the agent, naming the agent, the host and the wait', async () => {
    const quick = new AgentDispatcher(weft.context.agentHub, 'plant', { timeoutMs: 500 });
    const never = await request(`${api.url}/never`, { dispatcher: quick }).catch((e) => e);
    expect(never.code).toBe('HTTP_TIMEOUT');
    expect(never.message).toBe(
      `agent "plant-1": GET ${api.url}/never timed out: erp.internal:${api.port} sent no response within 0.5 s (UND_ERR_HEADERS_TIMEOUT)`,
    );
  });

  it('moves 50 MB up and 50 MB down through the agent', async () => {
    const size = 50 * MB;
    async function* upload() {
      const chunk = Buffer.alloc(64 * 1024, 97);
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    }
    const started = Date.now();
    const up = await request(`${api.url}/upload`, {
      method: 'POST',
      body: Readable.from(upload()),
      dispatcher: via('plant'),
    });
    expect(await up.body.json()).toEqual({ bytes: size });
    const uploaded = Date.now();
    const down = await request(`${api.url}/download?bytes=${size}`, { dispatcher: via('plant') });
    let received = 0;
    for await (const chunk of down.body) received += (chunk as Buffer).length;
    expect(received).toBe(size);
    const rate = (ms: number) => `${(50 / (ms / 1000)).toFixed(0)} MB/s`;
    console.log(
      `50 MB through the agent over the veth: up ${rate(uploaded - started)}, down ${rate(Date.now() - uploaded)}`,
    );
  }, 90_000);

  it('a connection through the agent group: an action, then a recipe whose poll trigger and action reach the private API only through the agent', async () => {
    await runAgent(await createAgent('erp-1', 'erp'), 'erp-1');
    await call(weft.url, 'POST', '/api/connections', {
      name: 'erp',
      connector: 'erp',
      values: { base_url: api.url, api_key: 'k-erp' },
      agentGroup: 'erp',
    });
    expect(await call(weft.url, 'POST', '/api/connections/erp/test')).toEqual({
      ok: true,
      message: 'The connection works',
    });
    for (const name of ['first', 'second']) {
      const run = await call(weft.url, 'POST', '/api/connectors/erp/run', {
        connection: 'erp',
        action: 'create_item',
        input: { name },
      });
      expect(run.output).toMatchObject({ name, id: expect.any(Number) });
    }
    const recipe = await call(weft.url, 'POST', '/api/recipes', {
      name: 'items of the private API',
      trigger: { connector: 'erp', connection: 'erp', trigger: 'new_items', input: {} },
      steps: [{ id: 'hello', connector: 'erp', connection: 'erp', action: 'hello', input: {} }],
    });
    await call(weft.url, 'POST', `/api/recipes/${recipe.id}/start`);
    let succeeded: { id: string }[] = [];
    try {
      const end = Date.now() + 30_000;
      for (;;) {
        const page = await call(weft.url, 'GET', `/api/jobs?recipeId=${recipe.id}`);
        const failed = page.items.find((j: { status: string }) => j.status === 'failed');
        if (failed) throw new Error(`a job failed: ${JSON.stringify(failed.error)}`);
        succeeded = page.items.filter((j: { status: string }) => j.status === 'succeeded');
        if (succeeded.length === 2 || Date.now() > end) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await call(weft.url, 'POST', `/api/recipes/${recipe.id}/stop`);
    }
    expect(succeeded).toHaveLength(2);
    const jobs = await Promise.all(succeeded.map((j) => call(weft.url, 'GET', `/api/jobs/${j.id}`)));
    expect(jobs.map((j) => j.trigger.name).sort()).toEqual(['first', 'second']);
    for (const job of jobs) {
      // The connection's credentials reached the private API with the action's request.
      expect(job.steps).toMatchObject([
        { id: 'hello', status: 'succeeded', output: { hello: 'from inside', auth: 'Bearer k-erp' } },
      ]);
    }
  }, 60_000);

  it('fails with AGENT_OFFLINE when the agent is killed, and the next request succeeds once it is restarted', async () => {
    const key = await createAgent('plant-2', 'restart');
    const agent = await runAgent(key, 'plant-2');
    await agent.stop('SIGKILL');
    await waitUntil(() => !weft.context.agentHub.online('plant-2'), 'the session to close');
    const offline = await request(`${api.url}/hello`, { dispatcher: via('restart') }).catch((e) => e);
    expect(offline.code).toBe('AGENT_OFFLINE');
    expect(offline.message).toMatch(/No agent of the group "restart" is online/);

    await runAgent(key, 'plant-2');
    const res = await request(`${api.url}/hello`, { dispatcher: via('restart') });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }, 30_000);

  it('when the network drops, the server notices within its heartbeats; when it returns, the agent reconnects', async () => {
    await network.setLink(false);
    try {
      const dropped = Date.now();
      // Sent before the server notices: it goes into the dead session and fails when that closes.
      const caught = request(`${api.url}/hello`, { dispatcher: via('restart') }).catch((e) => e);
      await waitUntil(() => !weft.context.agentHub.online('plant-2'), 'the server to notice', 10 * HEARTBEAT_MS);
      console.log(`network down: the server closed the session after ${Date.now() - dropped} ms`);
      const inFlight = await caught;
      expect(inFlight.code).toBe('AGENT_DISCONNECTED');
      expect(inFlight.message).toMatch(/agent "plant-2"/);
      const offline = await request(`${api.url}/hello`, { dispatcher: via('restart') }).catch((e) => e);
      expect(offline.code).toBe('AGENT_OFFLINE');
    } finally {
      await network.setLink(true);
    }
    const restored = Date.now();
    await waitUntil(() => weft.context.agentHub.online('plant-2'), 'the agent to reconnect', 30_000);
    console.log(`network up: the agent was back after ${Date.now() - restored} ms`);
    const res = await request(`${api.url}/hello`, { dispatcher: via('restart') });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }, 45_000);

  it('with two agents, one killed mid-burst of 500: every request completes or fails clearly', async () => {
    const first = await runAgent(await createAgent('pair-1', 'pair'), 'pair-1');
    await runAgent(await createAgent('pair-2', 'pair'), 'pair-2');
    const burst = Array.from({ length: 500 }, () =>
      request(`${api.url}/slow`, { dispatcher: via('pair') }).then(
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
    console.log(
      `burst of 500 with one agent killed: ${outcomes.length - failed.length} completed, ${failed.length} failed`,
    );
    for (const o of outcomes) {
      if (o.ok) expect(o.text).toBe('slow');
      else {
        expect(o.code).toBe('AGENT_DISCONNECTED');
        expect(o.message).toMatch(/agent "pair-1"/);
      }
    }
    const next = await request(`${api.url}/hello`, { dispatcher: via('pair') });
    expect(next.statusCode).toBe(200);
    await next.body.dump();
  }, 60_000);

  it('refuses a revoked key: the running agent exits, and one started with it again is refused', async () => {
    const key = await createAgent('revoked', 'elsewhere');
    const agent = await runAgent(key, 'revoked');
    await call(weft.url, 'DELETE', '/api/agents/revoked');
    expect(await agent.exited).toBe(2);
    expect(agent.stderr()).toMatch(/refused the agent key/);
    const again = network.weft(['agent', '--server', weft.url, '--config', config], { env: { WEFT_AGENT_KEY: key } });
    expect(await again.exited).toBe(2);
    expect(again.stderr()).toMatch(/The server refused the agent key/);
  }, 30_000);
});
