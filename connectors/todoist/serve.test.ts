/**
 * The Todoist connector in recipes on a real `weft serve` (connector code in its isolated
 * hosts): a connection signed in through the server's OAuth flow, a recipe on the polling
 * trigger and one on Todoist's app webhook (the connector's static URL, routed by user id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiCall, type RunningWeft, startWeft } from '../../packages/cli/src/test-helpers.js';
import { CLIENT_ID, CLIENT_SECRET, type FakeTodoist, startFakeTodoist } from './fake-api.js';

const FOLDER = fileURLToPath(new URL('.', import.meta.url));
const TOKEN = 'todoist-serve-test-admin-token';
const call = apiCall(TOKEN);

let api: FakeTodoist;
let home: string;
let weft: RunningWeft;
let base: string;

interface Job {
  id: string;
  status: string;
  trigger: { id: string; content: string };
  error?: { message: string };
}

/** The recipe's jobs once `count` of them have finished (succeeded or failed), oldest first. */
async function finishedJobs(recipeId: string, count: number): Promise<Job[]> {
  for (;;) {
    const { items } = (await call(base, 'GET', `/api/jobs?recipeId=${recipeId}`)) as { items: Job[] };
    const done = items.filter((j) => j.status === 'succeeded' || j.status === 'failed');
    if (done.length >= count) return done.reverse();
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  api = await startFakeTodoist();
  home = mkdtempSync(join(tmpdir(), 'weft-todoist-serve-'));
  weft = startWeft(['serve', '--port', '0', '--connectors', FOLDER], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
  });
  [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
}, 30_000);

afterAll(async () => {
  await weft?.stop('SIGKILL');
  await api?.close();
  rmSync(home, { recursive: true, force: true });
});

test('signed in through the server, a completed task makes a review task and a new task is completed at once', async () => {
  await call(base, 'POST', '/api/connections', {
    name: 'todoist-ada',
    connector: 'todoist',
    values: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, server_url: api.url },
  });
  // What the console does: ask for the authorization URL as JSON, then open it.
  const start = await fetch(`${base}/api/connections/todoist-ada/oauth2/start`, {
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' },
  });
  const { authorizationUrl } = (await start.json()) as { authorizationUrl: string };
  const grant = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = await fetch(grant.headers.get('location') ?? '');
  expect(await callback.text()).toContain('Connected todoist-ada');
  expect(await call(base, 'POST', '/api/connections/todoist-ada/test')).toMatchObject({ ok: true });

  // Polling: each task completed in Todoist becomes a job that files a review task under Work.
  const first = api.addTask({ content: 'Write report', project_id: 'p-home' });
  api.closeTask(first.id, new Date(Date.now() - 60_000));
  const reviews = await call(base, 'POST', '/api/recipes', {
    name: 'Review what I finish',
    trigger: { connector: 'todoist', connection: 'todoist-ada', trigger: 'task_completed', pollIntervalSeconds: 1 },
    steps: [
      {
        id: 'review',
        connector: 'todoist',
        connection: 'todoist-ada',
        action: 'create_task',
        input: { content: 'Review: {{trigger.content}}', project_id: 'p-work', labels: ['waiting'] },
      },
    ],
  });
  expect(reviews.warnings).toEqual([]);
  await call(base, 'POST', `/api/recipes/${reviews.id}/start`);
  const [one] = await finishedJobs(reviews.id, 1);
  expect(one).toMatchObject({ status: 'succeeded', trigger: { id: first.id, content: 'Write report' } });
  const second = api.addTask({ content: 'Send invoice' });
  api.closeTask(second.id);
  const [, two] = await finishedJobs(reviews.id, 2);
  expect(two).toMatchObject({ status: 'succeeded', trigger: { content: 'Send invoice' } });
  await call(base, 'POST', `/api/recipes/${reviews.id}/stop`);
  const filed = [...api.tasks.values()].filter((t) => t.content.startsWith('Review:'));
  expect(filed.map((t) => [t.content, t.project_id, t.labels])).toEqual([
    ['Review: Write report', 'p-work', ['waiting']],
    ['Review: Send invoice', 'p-work', ['waiting']],
  ]);

  // Webhook: Todoist posts every user's events to the connector's one URL, signed by the app.
  const instant = await call(base, 'POST', '/api/recipes', {
    name: 'Nothing stays open in Inbox',
    trigger: { connector: 'todoist', connection: 'todoist-ada', trigger: 'new_task', input: { project_id: 'p-inbox' } },
    steps: [
      {
        id: 'close',
        connector: 'todoist',
        connection: 'todoist-ada',
        action: 'complete_task',
        input: { task_id: '=trigger.id' },
      },
    ],
  });
  await call(base, 'POST', `/api/recipes/${instant.id}/start`);
  const { staticWebhookUrl } = await call(base, 'GET', `/api/recipes/${instant.id}`);
  expect(staticWebhookUrl).toBe(`${base}/webhooks/static/todoist`);

  const added = api.addTask({ content: 'Stray thought' });
  expect(await api.deliver(staticWebhookUrl, 'item:added', added, 'not-the-app-secret')).toBe(401);
  expect(await api.deliver(staticWebhookUrl, 'item:added', added)).toBe(200);
  const [closed] = await finishedJobs(instant.id, 1);
  expect(closed).toMatchObject({ status: 'succeeded', trigger: { id: added.id } });
  expect(api.tasks.get(added.id)?.checked).toBe(true);
  await call(base, 'POST', `/api/recipes/${instant.id}/stop`);
}, 30_000);
