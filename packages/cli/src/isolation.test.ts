/**
 * Connector isolation, tried from the outside: a real `weft serve` with connectors written to
 * misbehave (an endless loop in an action, a webhook notification, a pick list and at the top
 * level; process.exit; a memory bomb; reading master.key; spawning a process; reaching the
 * server's own port and the metadata address). Each fails with its own code within its limit,
 * the server keeps answering meanwhile, and the next job of the same connector succeeds.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWeft, startWeft } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/isolation', import.meta.url));
const TOKEN = 'isolation-test-token-0123456789';
const LIMIT_SECONDS = 2;

let home: string;
let weft: RunningWeft;
let base: string;
let calmHook: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const res = await call(method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function recipe(name: string, trigger: { connector: string; trigger: string }, steps: unknown[]) {
  const made = await ok('POST', '/api/recipes', {
    name,
    trigger: { ...trigger, connection: trigger.connector, input: {} },
    steps,
  });
  await ok('POST', `/api/recipes/${made.id}/start`);
  return made as { id: string; webhookUrl: string };
}

/** A recipe whose webhook runs one action of the rogue connector. */
async function rogueRecipe(action: string, input: Record<string, unknown> = {}) {
  return recipe(`rogue ${action}`, { connector: 'calm', trigger: 'hook' }, [
    { id: 'act', connector: 'rogue', connection: 'rogue', action, input },
  ]);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function finishedJob(recipeId: string, count = 1): Promise<any> {
  return until(`job of ${recipeId}`, async () => {
    const page = await ok('GET', `/api/jobs?recipeId=${recipeId}&limit=100`);
    const done = page.items.filter((j: any) => j.status === 'succeeded' || j.status === 'failed');
    return done.length >= count ? ok('GET', `/api/jobs/${done[0].id}`) : undefined;
  });
}

/** Runs `during` while measuring how long each health check and each webhook of a neighbour take. */
async function probeWhile(during: Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let done = false;
  const settled = during.finally(() => {
    done = true;
  });
  while (!done) {
    let started = performance.now();
    const health = await request(`${base}/api/health`);
    await health.body.text();
    expect(health.statusCode).toBe(200);
    times.push(performance.now() - started);
    started = performance.now();
    const hook = await request(calmHook, {
      method: 'POST',
      body: '{"value":1}',
      headers: { 'content-type': 'application/json' },
    });
    await hook.body.text();
    expect(hook.statusCode).toBe(200);
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  await settled;
  return times;
}

/** Fires the recipe's webhook and waits for its job, probing the server meanwhile. */
async function runJob(made: { id: string; webhookUrl: string }, previous = 0) {
  const fire = await request(made.webhookUrl, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  await fire.body.text();
  let job: any;
  const times = await probeWhile(
    finishedJob(made.id, previous + 1).then((j) => {
      job = j;
    }),
  );
  return { job, times };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'weft-isolation-'));
  weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], {
    env: {
      WEFT_HOME: home,
      WEFT_ADMIN_TOKEN: TOKEN,
      WEFT_JOB_MAX_ATTEMPTS: '1',
      WEFT_CONNECTOR_TIMEOUT_SECONDS: String(LIMIT_SECONDS),
      WEFT_CONNECTOR_INTERACTIVE_TIMEOUT_SECONDS: String(LIMIT_SECONDS),
      // Long enough for a loaded machine to start the hosts; the top-level loop test waits it out.
      WEFT_CONNECTOR_LOAD_TIMEOUT_SECONDS: '8',
      WEFT_CONNECTOR_MEMORY_MB: '160',
    },
  });
  [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
  await ok('POST', '/api/connections', { name: 'rogue', connector: 'rogue', values: {} });
  await ok('POST', '/api/connections', { name: 'calm', connector: 'calm', values: {} });
  const neighbour = await recipe('calm neighbour', { connector: 'calm', trigger: 'hook' }, [
    { id: 'echo', connector: 'calm', connection: 'calm', action: 'echo', input: { value: '=trigger.value' } },
  ]);
  calmHook = neighbour.webhookUrl;
}, 60_000);

/**
 * Kills the connector hosts a server of `dir` left: one stuck in a loop outlives kill -9 of its
 * server (by design: the next server on the home stops it), so a test that kills its server and
 * removes the home must stop them itself, or they spin on after the run.
 */
function killLeftHosts(dir: string) {
  let pids: number[] = [];
  try {
    pids = readdirSync(join(dir, 'hosts')).map(Number).filter(Number.isInteger);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('host-main')) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

afterAll(async () => {
  await weft?.stop('SIGKILL').catch(() => {});
  if (home) killLeftHosts(home);
  rmSync(home, { recursive: true, force: true });
});

describe('connector code that misbehaves fails its step, and nothing else', () => {
  const expectResponsive = (times: number[]) => {
    expect(times.length).toBeGreaterThan(0);
    // Each health check and each webhook of the neighbour answered well within the rogue's limit:
    // a server blocked by connector code would take the whole limit (2 s) to answer. Three quarters of it
    // leaves room for a loaded machine (the suite runs many servers at once on 2 cores).
    expect(Math.max(...times)).toBeLessThan(LIMIT_SECONDS * 1000 * 0.75);
  };

  /** The next job of the same connector succeeds (its host was replaced if it had to be). */
  const expectRecovered = async () => {
    const good = await runJob(await rogueRecipe('ok'));
    expect(good.job.status).toBe('succeeded');
  };

  it('an endless loop in an action: CONNECTOR_TIMEOUT within its limit; the next job succeeds', async () => {
    const spin = await rogueRecipe('spin');
    const started = Date.now();
    const { job, times } = await runJob(spin);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'CONNECTOR_TIMEOUT', stepId: 'act' });
    expect(job.error.message).toContain('actions.spin.execute');
    expect(Date.now() - started).toBeLessThan((LIMIT_SECONDS + 5) * 1000);
    expectResponsive(times);
    const good = await runJob(await rogueRecipe('ok'));
    expect(good.job.status).toBe('succeeded');
  });

  it('process.exit: CONNECTOR_CRASHED, and the host is replaced', async () => {
    const { job } = await runJob(await rogueRecipe('exit'));
    expect(job.error).toMatchObject({ code: 'CONNECTOR_CRASHED' });
    const good = await runJob(await rogueRecipe('ok'));
    expect(good.job.status).toBe('succeeded');
  });

  it('a memory bomb: CONNECTOR_OUT_OF_MEMORY', async () => {
    const { job, times } = await runJob(await rogueRecipe('bomb'));
    expect(job.error).toMatchObject({ code: 'CONNECTOR_OUT_OF_MEMORY' });
    expectResponsive(times);
    await expectRecovered();
  });

  it("reading the server's master key and admin token: CONNECTOR_FORBIDDEN, nothing of them shown", async () => {
    const key = readFileSync(join(home, 'master.key'), 'utf8').trim();
    for (const file of ['master.key', 'admin.token', 'weft.db']) {
      const { job } = await runJob(await rogueRecipe('read_file', { path: join(home, file) }));
      expect(job.error).toMatchObject({ code: 'CONNECTOR_FORBIDDEN' });
      expect(JSON.stringify(job)).not.toContain(key);
    }
    await expectRecovered();
  });

  it('signalling the server, or the process group: CONNECTOR_FORBIDDEN, and the server lives', async () => {
    for (const action of ['kill_server', 'kill_group']) {
      const { job } = await runJob(await rogueRecipe(action));
      expect(job.error, action).toMatchObject({ code: 'CONNECTOR_FORBIDDEN' });
    }
    expect((await request(`${base}/api/health`)).statusCode).toBe(200);
    await expectRecovered();
  });

  it('spawning a process: CONNECTOR_FORBIDDEN', async () => {
    const { job } = await runJob(await rogueRecipe('spawn'));
    expect(job.error).toMatchObject({ code: 'CONNECTOR_FORBIDDEN' });
    await expectRecovered();
  });

  it("connecting to the server's own port, or to the metadata address, directly or by a redirect: CONNECTOR_FORBIDDEN", async () => {
    const port = new URL(base).port;
    // An outside server that sends the connector back to the server's own port.
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/api/health` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const bounce = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`;
    try {
      for (const url of [
        `${base}/api/health`,
        `http://localhost:${port}/api/health`,
        'http://169.254.169.254/latest/meta-data/',
        bounce,
      ]) {
        const { job } = await runJob(await rogueRecipe('fetch_url', { url }));
        expect(job.error, url).toMatchObject({ code: 'CONNECTOR_FORBIDDEN' });
      }
    } finally {
      redirector.close();
    }
  });

  it("the host's environment holds none of Weft's variables", async () => {
    const { job } = await runJob(await rogueRecipe('environment'));
    expect(job.status).toBe('succeeded');
    const keys: string[] = job.steps[0].output.keys;
    expect(keys.filter((k) => k.startsWith('WEFT_'))).toEqual([]);
  });

  it('an endless loop in a pick list: the request fails with CONNECTOR_TIMEOUT', async () => {
    let res: { status: number; body: any } | undefined;
    const times = await probeWhile(
      call('POST', '/api/connectors/rogue/fields', { pickList: 'spin_list', connection: 'rogue' }).then((r) => {
        res = r;
      }),
    );
    expect(res!.body.error).toMatchObject({ code: 'CONNECTOR_TIMEOUT' });
    expectResponsive(times);
    await expectRecovered();
  });

  it('an endless loop in webhookNotification: the sender gets a 503 with CONNECTOR_TIMEOUT', async () => {
    const hook = await recipe('rogue hook', { connector: 'rogue', trigger: 'spin_hook' }, [
      { id: 'echo', connector: 'calm', connection: 'calm', action: 'echo', input: { value: '1' } },
    ]);
    let status = 0;
    let body = '';
    const times = await probeWhile(
      request(hook.webhookUrl, {
        method: 'POST',
        body: '{"spin":true}',
        headers: { 'content-type': 'application/json' },
      }).then(async (r) => {
        status = r.statusCode;
        body = await r.body.text();
      }),
    );
    expect(status).toBe(503);
    expect(JSON.parse(body).error.code).toBe('CONNECTOR_TIMEOUT');
    expectResponsive(times);
    const fine = await request(hook.webhookUrl, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    await fine.body.text();
    expect(fine.statusCode).toBe(200);
  });

  it('an endless loop at the top level of a pushed connector: the push fails with CONNECTOR_TIMEOUT', async () => {
    const source = 'for (;;) {}\nexport default { title: "Never" };';
    let res: { status: number; body: any } | undefined;
    const times = await probeWhile(
      call('POST', '/api/connectors', { name: 'never', source }).then((r) => {
        res = r;
      }),
    );
    expect(res!.status).toBeGreaterThanOrEqual(400);
    expect(res!.body.error).toMatchObject({ code: 'CONNECTOR_TIMEOUT' });
    expectResponsive(times);
  });
});

describe('hosts a killed server left behind', () => {
  it('a host stuck in a loop outlives kill -9 of its server, and the next server on the home stops it', async () => {
    const own = mkdtempSync(join(tmpdir(), 'weft-isolation-orphan-'));
    const env = { WEFT_HOME: own, WEFT_ADMIN_TOKEN: TOKEN, WEFT_CONNECTOR_TIMEOUT_SECONDS: '120' };
    const alive = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('host-main');
      } catch {
        return false;
      }
    };
    let first: RunningWeft | undefined = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], { env });
    let second: RunningWeft | undefined;
    try {
      const saved = base;
      [, base] = await first.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
      await ok('POST', '/api/connections', { name: 'rogue', connector: 'rogue', values: {} });
      await ok('POST', '/api/connections', { name: 'calm', connector: 'calm', values: {} });
      const spin = await rogueRecipe('spin');
      const fired = await request(spin.webhookUrl, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      await fired.body.text();
      await new Promise((r) => setTimeout(r, 1500));
      const before = readdirSync(join(own, 'hosts')).map(Number);
      await first.stop('SIGKILL');
      first = undefined;
      await new Promise((r) => setTimeout(r, 500));
      const orphans = before.filter(alive);
      expect(orphans.length, 'the spinning host is still running').toBeGreaterThan(0);
      second = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], { env });
      await second.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
      await until('the orphans are gone', async () => (orphans.some(alive) ? undefined : true), 5000);
      base = saved;
    } finally {
      await first?.stop('SIGKILL').catch(() => {});
      await second?.stop('SIGKILL').catch(() => {});
      killLeftHosts(own);
      rmSync(own, { recursive: true, force: true });
    }
  }, 90_000);
});
