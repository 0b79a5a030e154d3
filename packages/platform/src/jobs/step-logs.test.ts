/**
 * `ctx.log` lines kept with a job's steps, through a real server with connector code isolated
 * (the default) and in the server process (`WEFT_ISOLATION=off`): shown by `GET /api/jobs/:id`,
 * redacted (the connection's secret shows nowhere, nor in `weft.db`), and bounded — a step that
 * logs 10,000 lines keeps 200 and says how many it dropped.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { eventually, RECIPE_CONNECTORS } from '../__fixtures__/jobs-harness.js';
import { type RunningServer, startServer } from '../serve.js';

const LOGGING = fileURLToPath(new URL('../__fixtures__/log-connectors', import.meta.url));
const TOKEN = 'tok-7f3a"\\é-secret';

describe.each([
  ['isolated', {}],
  ['in the server process', { WEFT_ISOLATION: 'off' }],
])('step logs, connector code %s', (_where, env: NodeJS.ProcessEnv) => {
  let server: RunningServer;
  let home: string;
  const logged: string[] = [];
  const call = apiCaller(() => server);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'weft-step-logs-'));
    server = await startServer({
      port: 0,
      home,
      connectorDirs: [RECIPE_CONNECTORS, LOGGING],
      env: { ...env, WEFT_BUILTINS: 'off' },
      onWarning: () => {},
      log: (_level, message) => logged.push(message),
      runtime: { jobRetryBaseMs: 10 },
    });
    const created = await call('POST', '/api/connections', {
      name: 'chatty-main',
      connector: 'chatty',
      values: { token: TOKEN },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function runJob(action: string, input: Record<string, unknown>): Promise<any> {
    const created = await call('POST', '/api/recipes', {
      name: `chatty ${action}`,
      trigger: { connector: 'chat', trigger: 'mention', input: {} },
      steps: [{ id: 'talk', connector: 'chatty', connection: 'chatty-main', action, input }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await call('POST', `/api/recipes/${created.body.id}/start`)).status).toBe(200);
    const { jobs } = await server.store.createJobs({ recipeId: created.body.id, events: [{ text: 'hi' }] });
    server.context.runtime.jobsCommitted(jobs);
    await eventually(async () => {
      const job = await server.store.getJob(jobs[0].id);
      return job && ['succeeded', 'failed'].includes(job.status) ? job : undefined;
    }, 'the job to finish');
    const shown = await call('GET', `/api/jobs/${jobs[0].id}`);
    expect(shown.status).toBe(200);
    return shown.body;
  }

  test("a step's lines are kept with it, redacted and cut to 2,048 characters", async () => {
    const job = await runJob('talk', {});
    expect(job.status).toBe('succeeded');
    const logs = job.steps[0].logs;
    expect(logs.map((l: any) => [l.level, l.message.slice(0, 40)])).toEqual([
      ['info', 'starting'],
      ['warn', 'calling with token [REDACTED]'],
      ['debug', 'details'],
      ['info', 'checkpoint: halfway'],
      ['error', 'x'.repeat(40)],
    ]);
    expect(logs[2].data).toEqual({ token: '[REDACTED]', page: 2 });
    expect(logs[3].data).toEqual({ done: 1 });
    expect(logs[4].message).toBe(`${'x'.repeat(2048)}… (cut)`);
    for (const line of logs) expect(Number.isNaN(Date.parse(line.at))).toBe(false);
    const text = JSON.stringify(job);
    expect(text).not.toContain('tok-7f3a');
    for (const file of (await readdir(home)).filter((f) => f.startsWith('weft.db'))) {
      expect((await readFile(join(home, file))).toString('utf8')).not.toContain('tok-7f3a');
    }
  });

  test('10,000 lines keep the first 200 and one line with the count dropped', async () => {
    const job = await runJob('flood', { count: 10_000 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const logs = job.steps[0].logs;
    expect(logs).toHaveLength(201);
    expect(logs[0].message).toBe('line 0');
    expect(logs[199].message).toBe('line 199');
    expect(logs[200]).toMatchObject({ level: 'warn', message: '… 9800 more lines dropped' });
  });

  test('a step that logs nothing shows no lines', async () => {
    const job = await runJob('flood', { count: 0 });
    expect(job.steps[0].logs).toEqual([]);
  });

  test("a poll's lines go to the operational log, redacted", async () => {
    const created = await call('POST', '/api/recipes', {
      name: 'chatty poll',
      trigger: { connector: 'chatty', connection: 'chatty-main', trigger: 'ticks', input: {} },
      steps: [{ id: 'talk', connector: 'chatty', connection: 'chatty-main', action: 'talk', input: {} }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await call('POST', `/api/recipes/${created.body.id}/start`)).status).toBe(200);
    const line = await eventually(
      async () => logged.find((m) => m.startsWith('The poll of recipe "chatty poll" logged:')),
      'the poll to log',
    );
    expect(line).toBe('The poll of recipe "chatty poll" logged: polling with token [REDACTED]');
    await call('POST', `/api/recipes/${created.body.id}/stop`);
  });
});
