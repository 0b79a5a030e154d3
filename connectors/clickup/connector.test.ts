/**
 * The ClickUp connector against a fake ClickUp on 127.0.0.1: pick lists, custom fields as input
 * fields, a multipart upload, signed webhook deliveries; then the whole round trip on a real
 * `weft serve` — OAuth 2.0 through the server, a recipe whose start registers the webhook, a
 * signed event that runs a job, and a stop that deletes the webhook.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConnector } from '@weft/sdk/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCall, startWeft } from '../../packages/cli/src/test-helpers.js';
import { ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, type FakeClickUp, startFakeClickUp } from './fake-clickup.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
let clickup: FakeClickUp;

beforeAll(async () => {
  clickup = await startFakeClickUp();
});
afterAll(async () => {
  await clickup?.close();
});

function load() {
  return loadConnector(CONNECTOR, {
    cassette: false,
    settings: {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      base_url: clickup.api,
      app_url: clickup.url,
      access_token: ACCESS_TOKEN,
    },
  });
}

describe('actions and pick lists', () => {
  test('the pick lists walk workspace, space and list (lists in folders too)', async () => {
    const connector = await load();
    expect(await connector.pickLists.teams()).toEqual([['Acme', '9001']]);
    expect(await connector.pickLists.spaces({ team_id: '9001' })).toEqual([['Engineering', 's1']]);
    expect(await connector.pickLists.lists({ space_id: 's1' })).toEqual([
      ['Backlog', 'l1'],
      ['Q1 / Sprint 1', 'l2'],
    ]);
  });

  test("a list's custom fields become input fields, and their values go out as custom_fields", async () => {
    const connector = await load();
    const configFields = { team_id: '9001', space_id: 's1', list_id: 'l1' };
    const fields = await connector.actions.create_task.inputFields({ configFields });
    const custom = fields.filter((f: { name: string }) => f.name.startsWith('cf_'));
    expect(custom).toEqual([
      expect.objectContaining({ name: 'cf_c-points', label: 'Story points', type: 'number' }),
      expect.objectContaining({
        name: 'cf_c-area',
        label: 'Area',
        controlType: 'select',
        pickList: [
          ['Web', 'o-web'],
          ['API', 'o-api'],
        ],
      }),
      expect.objectContaining({ name: 'cf_c-review', label: 'Review date', type: 'date_time' }),
      expect.objectContaining({ name: 'cf_c-code', label: 'Code', controlType: 'text' }),
    ]);

    const task = await connector.actions.create_task.execute({
      configFields,
      input: {
        ...configFields,
        name: 'Write docs',
        priority: '2',
        due_date: '2026-03-01T12:00:00Z',
        'cf_c-points': '5',
        'cf_c-area': 'o-web',
        'cf_c-review': '2026-02-01T00:00:00Z',
        'cf_c-code': '2026', // text that looks like a date stays text
      },
    });
    expect(task).toMatchObject({ name: 'Write docs', list: { id: 'l1' } });
    expect(clickup.tasks.get(task.id)?.received).toEqual({
      name: 'Write docs',
      priority: 2,
      due_date: Date.parse('2026-03-01T12:00:00Z'),
      custom_fields: [
        { id: 'c-points', value: 5 },
        { id: 'c-area', value: 'o-web' },
        { id: 'c-review', value: Date.parse('2026-02-01T00:00:00Z') },
        { id: 'c-code', value: '2026' },
      ],
    });
  });

  test('upload_attachment sends the bytes as the multipart part "attachment"', async () => {
    const connector = await load();
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
    const out = await connector.actions.upload_attachment.execute({
      input: {
        task_id: 't-file',
        file_name: 'report.pdf',
        content: bytes.toString('base64'),
        encoding: 'base64',
        content_type: 'application/pdf',
      },
    });
    expect(out).toMatchObject({ title: 'report.pdf', extension: 'pdf' });
    const sent = clickup.attachments.at(-1);
    expect(sent).toMatchObject({ taskId: 't-file', name: 'report.pdf', type: 'application/pdf' });
    expect(sent?.bytes.equals(bytes)).toBe(true);
  });

  test('a refused token (ClickUp issues no refresh token) asks to authorize again, never showing the token', async () => {
    const connector = await loadConnector(CONNECTOR, {
      cassette: false,
      settings: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, base_url: clickup.api, access_token: 'cu-wrong' },
    });
    const error = await connector.test().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('REAUTHORIZE');
    expect(error?.message).toContain(`The API refused GET ${clickup.api}/user with HTTP 401`);
    expect(error?.message).not.toContain('cu-wrong');
  });
});

describe('the webhook trigger', () => {
  const event = { event: 'taskCreated', task_id: 't1', webhook_id: 'wh-1', history_items: [{ id: 'h-1' }] };
  const rawBody = JSON.stringify(event);
  const sign = (secret: string) => createHmac('sha256', secret).update(rawBody).digest('hex');

  test('a delivery signed with the subscription secret is the event', async () => {
    const connector = await load();
    const out = await connector.triggers.task_event.webhookNotification({
      payload: event,
      rawBody,
      headers: { 'content-type': 'application/json', 'x-signature': sign('whsec-1') },
      params: {},
      input: { team_id: '9001' },
      subscription: { id: 'wh-1', secret: 'whsec-1' },
    });
    expect(out).toEqual(event);
  });

  test('a delivery signed with another secret is refused as a failed signature check', async () => {
    const connector = await load();
    const error = await connector.triggers.task_event
      .webhookNotification({
        payload: event,
        rawBody,
        headers: { 'content-type': 'application/json', 'x-signature': sign('whsec-other') },
        params: {},
        input: { team_id: '9001' },
        subscription: { id: 'wh-1', secret: 'whsec-1' },
      })
      .then(
        () => undefined,
        (e: { code?: string }) => e,
      );
    expect(error?.code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });
});

test('weft listen: subscribes, prints a signed event, keeps the webhook secret off the terminal, unsubscribes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-clickup-listen-'));
  const settings = join(dir, 'settings.yaml');
  await writeFile(
    settings,
    `client_id: ${CLIENT_ID}\nclient_secret: ${CLIENT_SECRET}\nbase_url: ${clickup.api}\naccess_token: ${ACCESS_TOKEN}\n`,
  );
  const input = join(dir, 'input.json');
  await writeFile(input, JSON.stringify({ team_id: '9001', events: ['taskCreated'] }));
  const weft = startWeft(['listen', CONNECTOR, 'triggers.task_event', `--settings=${settings}`, `--input=${input}`]);
  try {
    await weft.waitFor(/waiting for requests/);
    const [hook] = [...clickup.hooks.values()];
    expect(weft.stderr()).toContain(`"id":"${hook?.id}"`);
    expect(await clickup.emit({ event: 'taskCreated', task_id: 't-listen', history_items: [{ id: 'hl-1' }] })).toEqual([
      200,
    ]);
    await weft.waitFor(/t-listen/, { stream: 'stdout' });
    expect(await weft.stop('SIGINT')).toBe(0);
    expect(clickup.hooks.size).toBe(0);
    expect(clickup.deletedHooks).toContain(hook?.id);
    expect(weft.stderr() + weft.stdout()).not.toContain(hook?.secret);
  } finally {
    await weft.stop('SIGKILL');
  }
});

test('on weft serve: authorize, start a recipe (webhook made), an event runs a job, stop (webhook deleted)', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-clickup-'));
  const token = 'clickup-test-admin-token-0123456789';
  const weft = startWeft(['serve', '--port', '0', '--connectors', fileURLToPath(new URL('.', import.meta.url))], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: token },
  });
  try {
    const [, base = ''] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    const api = apiCall(token);

    // The connection, authorized through the server's OAuth 2.0 flow.
    await api(base, 'POST', '/api/connections', {
      name: 'clickup-main',
      connector: 'clickup',
      values: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, base_url: clickup.api, app_url: clickup.url },
    });
    const started = await fetch(`${base}/api/connections/clickup-main/oauth2/start`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    const { authorizationUrl } = (await started.json()) as { authorizationUrl: string };
    const granted = await fetch(authorizationUrl, { redirect: 'manual' });
    const callback = granted.headers.get('location') ?? '';
    expect(callback).toMatch(new RegExp(`^${base}/oauth/callback\\?`));
    const page = await fetch(callback);
    expect(page.status, await page.text()).toBe(200);
    expect(await api(base, 'POST', '/api/connections/clickup-main/test')).toMatchObject({ ok: true });

    // A recipe: on each new task, read it and comment on it.
    const recipe = await api(base, 'POST', '/api/recipes', {
      name: 'Comment new tasks',
      trigger: {
        connector: 'clickup',
        connection: 'clickup-main',
        trigger: 'task_event',
        input: { team_id: '9001', events: ['taskCreated'] },
      },
      steps: [
        {
          id: 'task',
          connector: 'clickup',
          connection: 'clickup-main',
          action: 'get_task',
          input: { task_id: '=trigger.task_id' },
        },
        {
          id: 'comment',
          connector: 'clickup',
          connection: 'clickup-main',
          action: 'add_comment',
          input: { task_id: '=trigger.task_id', comment_text: 'Seen {{trigger.event}}: {{steps.task.name}}' },
        },
        {
          // Config fields (the list) and the list's custom fields are given in the step's input.
          id: 'followup',
          connector: 'clickup',
          connection: 'clickup-main',
          action: 'create_task',
          input: {
            team_id: '9001',
            space_id: 's1',
            list_id: 'l1',
            name: 'Review {{steps.task.name}}',
            'cf_c-points': 3,
            'cf_c-area': 'o-api',
          },
        },
      ],
    });
    expect(recipe.warnings).toEqual([]);
    await api(base, 'POST', `/api/recipes/${recipe.id}/start`);
    const { webhookUrl } = await api(base, 'GET', `/api/recipes/${recipe.id}`);
    const hooks = [...clickup.hooks.values()];
    expect(hooks).toEqual([expect.objectContaining({ endpoint: webhookUrl, events: ['taskCreated'] })]);

    // ClickUp sends an event: a job runs; a delivery signed with another secret is refused.
    const task = await load().then((c) =>
      c.actions.create_task.execute({
        configFields: { team_id: '9001', space_id: 's1', list_id: 'l1' },
        input: { name: 'Ship it' },
      }),
    );
    expect(task.list.id).toBe('l1'); // config field values are in ctx.input too
    const delivery = {
      event: 'taskCreated',
      task_id: task.id,
      history_items: [{ id: 'hist-1', field: 'task_creation' }],
    };
    expect(await clickup.emit(delivery, 'not-the-secret')).toEqual([401]);
    expect(await clickup.emit(delivery)).toEqual([200]);
    const jobs = await api(base, 'GET', `/api/jobs?recipeId=${recipe.id}`);
    expect(jobs.items).toHaveLength(1);
    let job = await api(base, 'GET', `/api/jobs/${jobs.items[0].id}`);
    while (!['succeeded', 'failed', 'stopped'].includes(job.status)) {
      // The job was committed before the 200; its steps run in the background: ask again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await api(base, 'GET', `/api/jobs/${job.id}`);
    }
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(clickup.comments).toContainEqual({ taskId: task.id, comment_text: 'Seen taskCreated: Ship it' });
    const followup = job.steps.find((step: { id: string }) => step.id === 'followup')?.output;
    expect(clickup.tasks.get(followup?.id)?.received).toEqual({
      name: 'Review Ship it',
      custom_fields: [
        { id: 'c-points', value: 3 },
        { id: 'c-area', value: 'o-api' },
      ],
    });

    // Stopping the recipe deletes the webhook at ClickUp.
    await api(base, 'POST', `/api/recipes/${recipe.id}/stop`);
    expect(clickup.hooks.size).toBe(0);
    expect(clickup.deletedHooks).toContain(hooks[0]?.id);
  } finally {
    await weft.stop('SIGTERM');
  }
});
