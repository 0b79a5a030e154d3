import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';
import type { JobRecord } from '../store/store.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
let server: RunningServer;
let recipeA: string;
let recipeB: string;

const call = apiCaller(() => server);

const recipe = (name: string) => ({
  name,
  trigger: { connector: 'chat', trigger: 'mention' },
  steps: [{ id: 'say', connector: 'chat', action: 'post_message', input: { text: '=trigger.text' } }],
});

/** Jobs made in the store directly (the engine is not asked to run them), each set to a status. */
async function jobs(recipeId: string, statuses: JobRecord['status'][]): Promise<JobRecord[]> {
  const { jobs: created } = await server.store.createJobs({
    recipeId,
    events: statuses.map((_, i) => ({ text: `event ${i}` })),
  });
  const out: JobRecord[] = [];
  for (const [i, job] of created.entries()) {
    const finished = ['succeeded', 'failed', 'stopped'].includes(statuses[i]);
    out.push(
      (await server.store.updateJob(job.id, {
        status: statuses[i],
        startedAt: statuses[i] === 'pending' ? null : '2026-01-01T00:00:00.000Z',
        finishedAt: finished ? '2026-01-01T00:00:02.000Z' : null,
        error: statuses[i] === 'failed' ? { code: 'HTTP_ERROR', message: 'boom', stepId: 'say' } : null,
      }))!,
    );
  }
  return out;
}

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-jobs-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {} });
  recipeA = (await call('POST', '/api/recipes', recipe('A'))).body.id;
  recipeB = (await call('POST', '/api/recipes', recipe('B'))).body.id;
});
afterAll(async () => {
  await server.close();
});

describe('GET /api/jobs', () => {
  test('lists newest first, filtered by recipe and status, in pages', async () => {
    const a = await jobs(recipeA, ['succeeded', 'failed', 'running', 'failed']);
    const b = await jobs(recipeB, ['succeeded']);
    const all = await call('GET', `/api/jobs?recipeId=${recipeA}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((j: { id: string }) => j.id)).toEqual(a.map((j) => j.id).reverse());
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]).toMatchObject({ recipeId: recipeA, status: 'failed', trigger: { text: 'event 3' } });
    expect(all.body.items[0]).not.toHaveProperty('steps');

    const failed = await call('GET', `/api/jobs?recipeId=${recipeA}&status=failed`);
    expect(failed.body.items.map((j: { id: string }) => j.id)).toEqual([a[3].id, a[1].id]);
    const everywhere = await call('GET', '/api/jobs?status=succeeded');
    expect(everywhere.body.items.map((j: { id: string }) => j.id)).toEqual(expect.arrayContaining([a[0].id, b[0].id]));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        'GET',
        `/api/jobs?recipeId=${recipeA}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((j) => j.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(a.map((j) => j.id).reverse());
  });

  test('a bad status, limit, cursor or key is a 400 with its path', async () => {
    for (const [query, path] of [
      ['status=done', 'status'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1001', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['recipe=x', 'recipe'],
    ]) {
      const res = await call('GET', `/api/jobs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.path, query).toBe(path);
    }
    expect((await call('GET', '/api/jobs?status=done')).body.error.message).toMatch(/"pending".*"stopped"/);
  });

  test('an unknown recipe is a 404', async () => {
    const res = await call('GET', '/api/jobs?recipeId=rcp_nope');
    expect(res).toEqual({
      status: 404,
      body: { error: { code: 'RECIPE_NOT_FOUND', message: 'No recipe with id "rcp_nope"', path: 'recipeId' } },
    });
  });
});

describe('GET /api/jobs/:id', () => {
  test('one job with its steps, by step id', async () => {
    const [job] = await jobs(recipeA, ['failed']);
    await server.store.saveJobStep({
      jobId: job.id,
      seq: 0,
      stepId: 'say',
      status: 'failed',
      input: { text: 'event 0' },
      output: null,
      error: { code: 'HTTP_ERROR', message: 'boom' },
      state: null,
      attempts: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
    });
    const res = await call('GET', `/api/jobs/${job.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: job.id,
      recipeId: recipeA,
      status: 'failed',
      trigger: { text: 'event 0' },
      error: { code: 'HTTP_ERROR', message: 'boom', stepId: 'say' },
      attempts: 0,
      rerunOf: null,
      createdAt: job.createdAt,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      steps: [
        {
          id: 'say',
          status: 'failed',
          input: { text: 'event 0' },
          output: null,
          error: { code: 'HTTP_ERROR', message: 'boom' },
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:01.000Z',
        },
      ],
    });
    expect(res.body.steps[0]).not.toHaveProperty('state');
  });

  test('an unknown job is a 404', async () => {
    expect(await call('GET', '/api/jobs/job_nope')).toEqual({
      status: 404,
      body: { error: { code: 'JOB_NOT_FOUND', message: 'No job with id "job_nope"', path: 'id' } },
    });
  });
});

describe('POST /api/jobs/:id/rerun', () => {
  test('a finished job gets a new job from the same trigger event', async () => {
    const heard: string[] = [];
    server.context.runtime.onJobsCommitted((committed) => heard.push(...committed.map((j) => j.id)));
    const [job] = await jobs(recipeA, ['failed']);
    const res = await call('POST', `/api/jobs/${job.id}/rerun`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      recipeId: recipeA,
      status: 'pending',
      trigger: job.trigger,
      rerunOf: job.id,
      steps: [],
    });
    expect(res.body.id).not.toBe(job.id);
    // Handed to the runtime (the queue) once committed.
    expect(heard).toEqual([res.body.id]);
    const again = await call('GET', `/api/jobs/${res.body.id}`);
    expect(again.body).toMatchObject({ rerunOf: job.id, trigger: job.trigger });
    // A re-run is never a duplicate: the same job re-runs as often as asked.
    const twice = await call('POST', `/api/jobs/${job.id}/rerun`);
    expect(twice.status).toBe(201);
    expect(twice.body.id).not.toBe(res.body.id);
  });

  test('a job that has not finished is a 409; an unknown job a 404', async () => {
    for (const status of ['running', 'pending', 'suspended'] as const) {
      const [job] = await jobs(recipeB, [status]);
      const res = await call('POST', `/api/jobs/${job.id}/rerun`);
      expect(res.status, status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'JOB_NOT_FINISHED', message: expect.stringContaining(status) });
    }
    expect((await call('POST', '/api/jobs/job_nope/rerun')).body.error.code).toBe('JOB_NOT_FOUND');
  });
});
