/**
 * The Todoist connector against a local stand-in of Todoist (fake-api.ts), the way the docs
 * tell a connector author to try a connector: `weft validate`, `weft check`, `weft oauth2`,
 * `weft exec` of every action, pick list and trigger, and `loadConnector` for the details.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConnector } from '@weft/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runWeft, startOAuth2, writeIn } from '../../packages/cli/src/test-helpers.js';
import { CLIENT_ID, CLIENT_SECRET, type FakeTodoist, startFakeTodoist, USER } from './fake-api.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));

let api: FakeTodoist;
let dir: string;
let settings: string;
let token: string;
let signInOutput: string;
let wrongSettings: string;
let wrongSignIn: Awaited<ReturnType<typeof signIn>>;
let exchange: FakeTodoist['requests'][number] | undefined;

beforeAll(async () => {
  api = await startFakeTodoist();
  dir = await mkdtemp(join(tmpdir(), 'weft-todoist-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(
    settings,
    `# the Todoist app\nclient_id: ${CLIENT_ID}\nclient_secret: ${CLIENT_SECRET}\nserver_url: ${api.url}\n`,
  );
  // Sign in the way a user does, with the redirect followed by this test instead of a browser;
  // at the same time, a sign-in with a wrong client secret.
  wrongSettings = await writeIn(
    dir,
    'wrong.yaml',
    `client_id: ${CLIENT_ID}\nclient_secret: nope\nserver_url: ${api.url}\n`,
  );
  const [done, wrong] = await Promise.all([signIn(settings), signIn(wrongSettings)]);
  expect(done.code, done.stderr).toBe(0);
  wrongSignIn = wrong;
  token = [...api.tokens][0];
  signInOutput = done.stdout + done.stderr;
  exchange = api.requests.find((r) => r.url === '/oauth/access_token' && r.body.includes(CLIENT_SECRET));
});

/** `weft oauth2` with `file`, the stand-in's redirect followed as a browser would. */
async function signIn(file: string) {
  const run = startOAuth2([`--connector=${CONNECTOR}`, `--settings=${file}`]);
  const grant = await fetch(await run.url, { redirect: 'manual' });
  await fetch(grant.headers.get('location') ?? '');
  return run.done;
}

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  api.tasks.clear();
  api.requests.length = 0;
});

const exec = (path: string, ...flags: string[]) =>
  runWeft(['exec', path, `--connector=${CONNECTOR}`, `--settings=${settings}`, ...flags]);

/** The connector in this process, on the signed-in connection, talking to the stand-in. */
const todoist = () =>
  loadConnector(CONNECTOR, {
    cassette: false,
    settings: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, server_url: api.url, access_token: token },
  });

describe('signing in and checking the definition', () => {
  test('weft oauth2 stored the token beside the app values, keeping the comment; the token is never printed', async () => {
    const stored = await readFile(settings, 'utf8');
    expect(stored).toContain('# the Todoist app');
    expect(stored).toContain(`access_token: ${token}`);
    expect(signInOutput).toContain('[REDACTED]');
    expect(signInOutput).not.toContain(token);
    // Todoist reads the client id and secret from the form body (client_secret_post).
    expect(exchange?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(exchange?.body))).toMatchObject({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'authorization_code',
    });
    expect(await (await todoist()).exec('identity')).toBe(USER.email);
  });

  test('a wrong client secret fails the sign-in with the provider’s reason and stores nothing', async () => {
    expect(wrongSignIn.code).toBe(1);
    expect(wrongSignIn.stderr).toContain('invalid_client');
    expect(await readFile(wrongSettings, 'utf8')).not.toContain('access_token');
  });

  test('weft exec test, weft validate and weft check with the connection pass, nothing skipped', async () => {
    const [test, valid, online] = await Promise.all([
      exec('test'),
      runWeft(['validate', CONNECTOR]),
      runWeft(['check', CONNECTOR, `--settings=${settings}`]),
    ]);
    expect(test.code, test.stderr).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ id: USER.id, email: USER.email });
    expect(valid.stdout).toContain('todoist: valid (6 actions, 2 triggers, 4 pick lists');
    // With the connection, the pick lists that call Todoist run too: nothing is skipped.
    expect(online.code, online.stdout + online.stderr).toBe(0);
    expect(online.stdout).toBe('todoist: contract checks passed: 0 errors, 0 warnings\n');
  });

  test('a token Todoist no longer accepts fails with its 401 and asks for a new sign-in, without the token', async () => {
    const connector = await loadConnector(CONNECTOR, {
      cassette: false,
      settings: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, server_url: api.url, access_token: 'revoked' },
    });
    const error = await connector.test().catch((e: Error & { code?: string }) => e);
    expect(error).toMatchObject({ code: 'REAUTHORIZE' });
    expect(String(error)).not.toContain('revoked');
  });
});

describe('pick lists page through Todoist’s cursors', () => {
  test('projects, labels, and the sections of one project', async () => {
    const connector = await todoist();
    expect(await connector.pickLists.projects()).toEqual([
      ['Inbox', 'p-inbox'],
      ['Home', 'p-home'],
      ['Work', 'p-work'],
    ]);
    expect(await connector.pickLists.sections({ project_id: 'p-home' })).toEqual([
      ['Groceries', 's-groceries'],
      ['Repairs', 's-repairs'],
    ]);
    expect(await connector.pickLists.labels({})).toEqual([
      ['errand', 'errand'],
      ['urgent', 'urgent'],
      ['waiting', 'waiting'],
    ]);
    expect(await connector.pickLists.sections({})).toEqual([]);
    // Two records a page: three projects took two requests, the second with the cursor.
    const pages = api.requests.filter((r) => r.url.startsWith('/api/v1/projects'));
    expect(pages).toHaveLength(2);
    expect(pages[1].url).toMatch(/cursor=/);
  });
});

describe('actions', () => {
  test('create_task sends what was given, coerced, and leaves the rest out', async () => {
    const input = await writeIn(dir, 'create.json', {
      content: 'Buy milk',
      project_id: 'p-home',
      section_id: 's-groceries',
      labels: 'errand, urgent',
      priority: '4',
      due_string: 'tomorrow at 9',
      due_date: '2026-12-24',
      description: '',
    });
    const created = await exec('actions.create_task.execute', `--input=${input}`);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      content: 'Buy milk',
      project_id: 'p-home',
      labels: ['errand', 'urgent'],
      priority: 4,
      due: { string: 'tomorrow at 9' },
    });
    const sent = api.requests.find((r) => r.method === 'POST');
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      content: 'Buy milk',
      project_id: 'p-home',
      section_id: 's-groceries',
      labels: ['errand', 'urgent'],
      priority: 4,
      due_string: 'tomorrow at 9',
    });
  });

  test('create_task: missing content is refused before any request; Todoist’s own refusal is quoted', async () => {
    const connector = await todoist();
    await expect(connector.actions.create_task.execute({ input: { project_id: 'p-home' } })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('input.content: is required'),
    });
    expect(api.requests).toHaveLength(0);
    const unknown = await connector.actions.create_task
      .execute({ input: { content: 'x', project_id: 'p-gone' } })
      .catch((e: Error) => e);
    expect(unknown).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
    expect(String(unknown)).toMatch(/POST \S+\/api\/v1\/tasks failed with HTTP 404: Project not found/);
    expect(String(unknown)).not.toContain(token);
  });

  test('update_task changes only what is given; complete_task closes it, and says so for an unknown task', async () => {
    const task = api.addTask({ content: 'Call Bob', priority: 2, labels: ['waiting'] });
    const connector = await todoist();
    const updated = await connector.actions.update_task.execute({ input: { task_id: task.id, priority: 3 } });
    expect(updated).toMatchObject({ id: task.id, content: 'Call Bob', priority: 3, labels: ['waiting'] });
    expect(connector.requests.at(-1)?.body).toEqual({ priority: 3 });

    expect(await connector.actions.complete_task.execute({ input: { task_id: task.id } })).toEqual({
      id: task.id,
      completed: true,
    });
    expect(api.tasks.get(task.id)?.checked).toBe(true);
    await expect(connector.actions.complete_task.execute({ input: { task_id: 't-404' } })).rejects.toMatchObject({
      code: 'CONNECTOR_ERROR',
      message: 'Todoist has no task t-404 (deleted, or not shared with this account)',
    });
  });

  test('find_task reads every page and matches the whole name, ignoring case', async () => {
    for (const content of ['Water plants', 'Pay rent', 'pay RENT ', 'Book dentist', 'Pay rent later']) {
      api.addTask({ content, project_id: 'p-home' });
    }
    api.addTask({ content: 'Pay rent', project_id: 'p-work' });
    const found = await exec('actions.find_task.execute', '--input={"name":"Pay Rent","project_id":"p-home"}');
    const output = JSON.parse(found.stdout);
    expect(output.count).toBe(2);
    expect(output.tasks.map((t: { content: string }) => t.content)).toEqual(['Pay rent', 'pay RENT ']);
    expect(output.first.content).toBe('Pay rent');
    expect(api.requests.filter((r) => r.url.startsWith('/api/v1/tasks'))).toHaveLength(3);

    const connector = await todoist();
    expect(await connector.actions.find_task.execute({ input: { name: 'Pay rent' } })).toMatchObject({ count: 3 });
    expect(connector.requests.map((r) => r.url)).toEqual([
      `${api.url}/api/v1/tasks?limit=200`,
      expect.stringMatching(/\/tasks\?limit=200&cursor=/),
      expect.stringMatching(/\/tasks\?limit=200&cursor=/),
    ]);
    expect(connector.requests[0].headers.authorization).toBe('[REDACTED]');
    await expect(
      connector.actions.find_task.execute({ input: { name: 'Nothing', fail_if_missing: 'yes' } }),
    ).rejects.toThrow('No open task is named "Nothing"');
  });

  test('the custom action calls any endpoint with the connection', async () => {
    const connector = await todoist();
    expect(await connector.actions.custom_action.execute({ input: { path: 'user' } })).toEqual({ body: USER });
  });
});

describe('task_completed (polling)', () => {
  test('one window, page by page; the next poll starts where the window ended', async () => {
    const recently = new Date(Date.now() - 60_000);
    for (const content of ['a', 'b', 'c']) api.closeTask(api.addTask({ content }).id, recently);
    api.addTask({ content: 'still open' });

    const follow = await exec('triggers.task_completed.poll', '--follow');
    expect(follow.code, follow.stderr).toBe(0);
    const result = JSON.parse(follow.stdout);
    expect(result.events.map((t: { content: string }) => t.content)).toEqual(['a', 'b', 'c']);
    expect(result.nextPoll).toMatchObject({ cursor: null });
    const first = api.requests.filter((r) => r.url.includes('by_completion_date'));
    expect(first).toHaveLength(2);
    expect(first[1].url).toMatch(/cursor=/);

    // The next cycle asks from the end of this window on; a task closed since comes then.
    const later = api.addTask({ content: 'd' });
    api.closeTask(later.id, new Date(result.nextPoll.until)); // at the boundary: in both windows, polled in the next
    const next = await (await todoist()).triggers.task_completed.poll({ closure: result.nextPoll });
    const events = next.events;
    expect(events.map((t: { content: string }) => t.content)).toEqual(['d']);
    const asked = new URL(api.requests.at(-1)?.url ?? '', api.url).searchParams;
    expect(asked.get('since')).toBe(result.nextPoll.until);
  });

  test('dedup: a task completed once is one event, a reopened and completed again task is another', async () => {
    const connector = await todoist();
    const [once, again] = await connector.triggers.task_completed.dedup([
      { id: 't-1', completed_at: '2026-12-01T10:00:00Z' },
      { id: 't-1', completed_at: '2026-12-02T10:00:00Z' },
    ]);
    expect(once).not.toBe(again);
  });
});

describe('new_task (Todoist’s app webhook)', () => {
  test('a signed item:added becomes the task; other events are ignored; a forged one is refused', async () => {
    const task = { id: 't-77', content: 'From the phone', project_id: 'p-work' };
    const body = JSON.stringify({ event_name: 'item:added', user_id: USER.id, event_data: task });
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', CLIENT_SECRET).update(body).digest('base64');
    const raw = await writeIn(dir, 'delivery.json', body);
    const headers = await writeIn(dir, 'headers.json', {
      'content-type': 'application/json',
      'x-todoist-hmac-sha256': signature,
    });
    const event = await exec(
      'triggers.new_task.webhook_notification',
      `--webhook-raw-body=${raw}`,
      `--webhook-headers=${headers}`,
    );
    expect(JSON.parse(event.stdout)).toEqual(task);

    // The recipe's key (the signed-in user, asked of Todoist) and the delivery's key agree.
    const connector = await todoist();
    expect(await connector.exec('triggers.new_task.webhook_key')).toBe(USER.id);
    expect(await connector.exec('webhook_keys', { webhook: { payload: JSON.parse(body) } })).toBe(USER.id);
    const hook = (payload: string, sig = signature, input = {}) =>
      connector.triggers.new_task.webhookNotification({
        rawBody: payload,
        headers: { 'content-type': 'application/json', 'x-todoist-hmac-sha256': sig },
        input,
      });
    expect(await hook(body, signature, { project_id: 'p-home' })).toBeNull();
    const completed = JSON.stringify({ event_name: 'item:completed', user_id: USER.id, event_data: task });
    expect(await hook(completed, createHmac('sha256', CLIENT_SECRET).update(completed).digest('base64'))).toBeNull();
    await expect(hook(body, createHmac('sha256', 'forger').update(body).digest('base64'))).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
    });
  });
});
