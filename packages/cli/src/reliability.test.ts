/**
 * Crash tests: `weft serve` killed with SIGKILL in the middle of a poll cycle, of a job, and of
 * 1,000 webhook deliveries, then started again on the same data directory. Nothing a trigger
 * delivered may be lost, nothing may run twice as a new job, and interrupted steps run again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCall, json, type RunningWeft, startServer, startWeft, type TestServer } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/reliability', import.meta.url));
const TOKEN = 'reliability-test-token-0123456789';

let home: string;
let api: TestServer | undefined;
let weft: RunningWeft | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'weft-crash-'));
});

afterEach(async () => {
  await weft?.stop('SIGKILL').catch(() => {});
  weft = undefined;
  await api?.close();
  api = undefined;
  rmSync(home, { recursive: true, force: true });
});

async function serve(): Promise<string> {
  weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN, WEFT_JOB_RETRY_BASE_MS: '50' },
  });
  const [, url] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
  return url;
}

async function kill(): Promise<void> {
  await weft?.stop('SIGKILL');
  weft = undefined;
}

const call = apiCall(TOKEN);

async function allJobs(base: string, recipeId: string): Promise<any[]> {
  const jobs: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: any[]; nextCursor: string | null } = await call(
      base,
      'GET',
      `/api/jobs?recipeId=${recipeId}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    jobs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(
  base: string,
  trigger: 'feed' | 'hook',
  stages: string[],
): Promise<{ id: string; webhookUrl?: string }> {
  await call(base, 'POST', '/api/connections', {
    name: 'relay',
    connector: 'relay',
    values: { base_url: `${api!.url}/` },
  });
  const recipe = await call(base, 'POST', '/api/recipes', {
    name: `crash ${trigger}`,
    trigger: { connector: 'relay', connection: 'relay', trigger, input: {}, pollIntervalSeconds: 1 },
    steps: stages.map((stage) => ({
      id: stage,
      connector: 'relay',
      connection: 'relay',
      action: 'record',
      input: { id: '=trigger.id', stage },
    })),
  });
  await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
  return recipe;
}

describe('kill -9 of weft serve', () => {
  it('during a poll cycle: after a restart every event has exactly one job', async () => {
    const total = 300;
    let pages = 0;
    const sink: number[] = [];
    api = await startServer((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/items') {
        pages++;
        const after = Number(url.searchParams.get('after') ?? 0);
        const items: { id: number }[] = [];
        for (let id = after + 1; id <= Math.min(after + 25, total); id++) items.push({ id });
        setTimeout(() => json(res, 200, { items, more: after + 25 < total }), 120);
        return;
      }
      if (url.pathname === '/sink') {
        sink.push(JSON.parse(body).id);
        json(res, 200, { ok: true });
        return;
      }
      json(res, 404, {});
    });
    let base = await serve();
    const recipe = await setUp(base, 'feed', ['x']);
    await until('a few pages polled', () => pages >= 4);
    await kill();
    base = await serve();
    await until('every event ran', () => new Set(sink).size === total, 60_000);
    await until('every job finished', async () => {
      const jobs = await allJobs(base, recipe.id);
      return jobs.length >= total && jobs.every((j) => j.status === 'succeeded');
    });
    const jobs = await allJobs(base, recipe.id);
    const ids = jobs.map((j) => j.trigger.id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('during a job: the interrupted step runs again, the finished one does not', async () => {
    const calls: Record<string, number> = {};
    let held: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      held = resolve;
    });
    api = await startServer((req, res, body) => {
      if (req.url === '/sink') {
        const { id, stage } = JSON.parse(body);
        const key = `${id}:${stage}`;
        calls[key] = (calls[key] ?? 0) + 1;
        if (stage === 'b' && calls[key] === 1) {
          held?.(); // never answered: the server dies while waiting
          return;
        }
        json(res, 200, { ok: true });
        return;
      }
      json(res, 404, {});
    });
    let base = await serve();
    const recipe = await setUp(base, 'hook', ['a', 'b']);
    const delivered = await request(recipe.webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 7 }),
    });
    expect(delivered.statusCode).toBeLessThan(300);
    await delivered.body.dump();
    await reached;
    await kill();
    base = await serve();
    await until('the job finished', async () => {
      const [job] = await allJobs(base, recipe.id);
      return job?.status === 'succeeded' || job?.status === 'failed';
    });
    const [job] = await allJobs(base, recipe.id);
    expect(job.status).toBe('succeeded');
    expect(calls).toEqual({ '7:a': 1, '7:b': 2 });
    const detail = await call(base, 'GET', `/api/jobs/${job.id}`);
    expect(detail.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      'a:succeeded',
      'b:succeeded',
    ]);
  });

  it('with 1,000 webhook requests in flight: every request answered 2xx has its job', async () => {
    api = await startServer((req, res) => json(res, req.url === '/sink' ? 200 : 404, { ok: true }));
    let base = await serve();
    const recipe = await setUp(base, 'hook', ['x']);
    const agent = new Agent({ connections: 1000, pipelining: 1 });
    const accepted: number[] = [];
    let answered = 0;
    const deliveries = Array.from({ length: 1000 }, async (_, i) => {
      try {
        const res = await request(recipe.webhookUrl!, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: i + 1 }),
        });
        await res.body.dump();
        answered++;
        if (res.statusCode >= 200 && res.statusCode < 300) accepted.push(i + 1);
      } catch {
        // cut off by the kill: the sender must retry, and may, because it got no 2xx
      }
    });
    await until('some deliveries answered', () => answered >= 150, 30_000);
    await kill();
    await Promise.all(deliveries);
    await agent.close();
    expect(accepted.length).toBeGreaterThan(0);
    base = await serve();
    const jobs = await allJobs(base, recipe.id);
    const ids = new Set(jobs.map((j) => j.trigger.id));
    expect(jobs.length).toBe(ids.size);
    for (const id of accepted) expect(ids.has(id), `delivery ${id} was answered 2xx but has no job`).toBe(true);
  });
});

describe('an action that ends the process', () => {
  const CRASHING = fileURLToPath(new URL('./__fixtures__/crash-loop', import.meta.url));

  /** Starts `weft serve`; resolves with its URL, or with undefined when it ended first. */
  async function serveCrashing(env: Record<string, string> = { WEFT_ISOLATION: 'off' }): Promise<string | undefined> {
    weft = startWeft(['serve', '--port', '0', '--connectors', CRASHING], {
      env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN, WEFT_JOB_MAX_ATTEMPTS: '3', ...env },
    });
    const running = weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    const outcome = await Promise.race([running.then((m) => m[1]), weft.exited.then(() => undefined)]);
    running.catch(() => {});
    return outcome;
  }

  it('isolated (the default): the host dies, the job fails with CONNECTOR_CRASHED after its attempts; the server never stops', async () => {
    const base = (await serveCrashing({ WEFT_JOB_RETRY_BASE_MS: '50' }))!;
    expect(base).toBeDefined();
    await call(base, 'POST', '/api/connections', { name: 'exits', connector: 'exits', values: {} });
    const recipe = await call(base, 'POST', '/api/recipes', {
      name: 'crash loop',
      trigger: { connector: 'exits', connection: 'exits', trigger: 'hook', input: {} },
      steps: [{ id: 'boom', connector: 'exits', connection: 'exits', action: 'exit', input: { id: '=trigger.id' } }],
    });
    await call(base, 'POST', `/api/recipes/${recipe.id}/start`);
    const fired = await request(recipe.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1 }),
    });
    await fired.body.dump();
    expect(fired.statusCode).toBe(200);
    await until('the job failed', async () => (await allJobs(base, recipe.id))[0]?.status === 'failed');
    const [job] = await allJobs(base, recipe.id);
    expect(job).toMatchObject({ status: 'failed', attempts: 3 });
    expect(job.error).toMatchObject({ code: 'CONNECTOR_CRASHED', stepId: 'boom' });
    expect((await request(`${base}/api/health`)).statusCode).toBe(200);
  }, 60_000);

  it('in the server process (WEFT_ISOLATION=off): fails its job after the attempts run out, and the server then stays up', async () => {
    let base = await serveCrashing();
    await call(base!, 'POST', '/api/connections', { name: 'exits', connector: 'exits', values: {} });
    const recipe = await call(base!, 'POST', '/api/recipes', {
      name: 'crash loop',
      trigger: { connector: 'exits', connection: 'exits', trigger: 'hook', input: {} },
      steps: [{ id: 'boom', connector: 'exits', connection: 'exits', action: 'exit', input: { id: '=trigger.id' } }],
    });
    await call(base!, 'POST', `/api/recipes/${recipe.id}/start`);
    // The job may end the process before the answer is out.
    await request(recipe.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1 }),
    }).then(
      (fired) => fired.body.dump(),
      () => {},
    );
    expect(await weft!.exited).toBe(3);

    // Each start picks the job up again and dies in the step, until its attempts are used up.
    let crashes = 1;
    for (;;) {
      base = await serveCrashing();
      if (base !== undefined) {
        const ended = await Promise.race([
          until('the job failed', async () => {
            const jobs = await allJobs(base!, recipe.id).catch(() => []);
            return jobs[0]?.status === 'failed';
          }).then(() => false),
          weft!.exited.then(() => true),
        ]);
        if (!ended) break;
      }
      crashes++;
      expect(crashes, 'the server keeps dying: the job is picked up forever').toBeLessThanOrEqual(3);
    }
    expect(crashes).toBe(3);
    const [job] = await allJobs(base, recipe.id);
    expect(job).toMatchObject({ status: 'failed', attempts: 4 });
    expect(job.error.code).toBe('SERVER_STOPPED');
    expect(job.error.message).toMatch(/step "boom"/);
    expect(job.error.message).toMatch(/process\.exit/);
    // The failed job stays failed; the server stays up.
    await new Promise((r) => setTimeout(r, 500));
    expect((await request(`${base}/api/health`)).statusCode).toBe(200);
    expect((await allJobs(base, recipe.id))[0].status).toBe('failed');
  }, 90_000);
});
