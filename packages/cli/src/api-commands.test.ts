import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, runOperation, startServer } from '@weft/platform';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runWeft } from './test-helpers.js';

const PLATFORM_FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__/', import.meta.url));

let server: RunningServer;
let work: string;
/** Flags of every API command in these tests. */
let api: string[];

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-cli-api-'));
  work = await mkdtemp(join(tmpdir(), 'weft-cli-work-'));
  server = await startServer({
    port: 0,
    home,
    connectorDirs: [join(PLATFORM_FIXTURES, 'recipe-connectors'), join(PLATFORM_FIXTURES, 'dynamic-fields')],
    env: {},
    onWarning: () => {},
  });
  api = ['--server', server.url, '--token', server.token.token];
});
afterAll(async () => {
  await server.close();
});

/** `weft` with no token or server in the environment unless given. */
const weft = (args: string[], env: Record<string, string> = {}) =>
  runWeft(args, { cwd: work, env: { WEFT_URL: '', WEFT_TOKEN: '', WEFT_ADMIN_TOKEN: '', WEFT_HOME: '', ...env } });

describe('weft push', () => {
  test('pushes a connector project, prints its name and version, and keeps the version when nothing changed', async () => {
    // Outside this repository: the bundle points @weft/sdk at a file of this machine, which push undoes.
    const project = join(work, 'notes');
    await cp(join(PLATFORM_FIXTURES, 'push', 'notes'), project, { recursive: true });
    const first = await weft(['push', project, ...api]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Pushed notes version 1 to ${server.url} (1 action, 0 triggers)\n`);
    expect(server.registry.get('notes')?.version.origin).toBe('push');
    const stored = (await server.store.connectorSource('notes', 1))!;
    expect(stored).toMatch(/from "@weft\/sdk"/);
    expect(stored).not.toMatch(/from "file:/);

    const again = await weft(['push', project, ...api]);
    expect(again.stdout).toMatch(/notes is unchanged: version 1/);

    await writeFile(join(project, 'label.ts'), "export const label = (text: string) => 'memo: ' + text;\n");
    const changed = await weft(['push', project, '--json', ...api]);
    expect(JSON.parse(changed.stdout)).toMatchObject({ name: 'notes', version: 2, created: true });
    const definition = await server.registry.definitionAt('notes', 2);
    const ran = await runOperation(definition, { kind: 'action', action: 'add_note', input: { text: 'x' } });
    expect(ran.kind === 'output' && ran.output).toEqual({ label: 'memo: x' });
  });

  test('a connector with definition problems is not sent; its problems are listed', async () => {
    const result = await weft([
      'push',
      fileURLToPath(new URL('./__fixtures__/bad-definition', import.meta.url)),
      ...api,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^weft: The connector definition has problems:\n {2}- /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('weft recipes and weft jobs', () => {
  let recipeId: string;

  test('recipes create (YAML), start, list and get', async () => {
    await writeFile(
      join(work, 'recipe.yaml'),
      [
        'name: Mentions',
        'trigger: { connector: chat, trigger: mention }',
        'steps:',
        '  - id: say',
        '    connector: chat',
        '    action: post_message',
        '    input: { text: "=trigger.text" }',
      ].join('\n'),
    );
    // Server and token from the environment.
    const env = { WEFT_URL: server.url, WEFT_TOKEN: server.token.token };
    const created = await weft(['recipes', 'create', 'recipe.yaml'], env);
    expect(created.stderr).toBe('');
    const match = /^Created recipe (rcp_\w+) \(Mentions\), stopped/.exec(created.stdout);
    expect(match).not.toBeNull();
    recipeId = match![1];

    const started = await weft(['recipes', 'start', recipeId], env);
    expect(started.stdout).toMatch(
      new RegExp(`^Recipe ${recipeId} \\(Mentions\\) is running; it receives webhooks at http`),
    );

    // The token from $WEFT_HOME/admin.token.
    const list = await weft(['recipes', 'list', '--server', server.url], { WEFT_HOME: server.home });
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+TRIGGER\s+STEPS\s+UPDATED$/);
    expect(lines[1]).toMatch(new RegExp(`^${recipeId}\\s+Mentions\\s+running\\s+chat.mention\\s+1\\s+\\d{4}-`));

    const json = await weft(['recipes', 'get', recipeId, '--json', ...api]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: recipeId, status: 'running', connectorVersions: { chat: 1 } });
    const human = await weft(['recipes', 'get', recipeId, ...api]);
    expect(human.stdout).toMatch(/^status: +running$/m);
    expect(human.stdout).toMatch(/^ {2}- id: say$/m);
  });

  test('a recipe the server refuses prints its message and path', async () => {
    await writeFile(
      join(work, 'bad.json'),
      JSON.stringify({ name: 'Bad', trigger: { connector: 'chat', trigger: 'nope' }, steps: [] }),
    );
    const result = await weft(['recipes', 'create', 'bad.json', ...api]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^weft: trigger\.trigger: .*nope/);
    expect(result.stderr.trim().split('\n')[0]).not.toMatch(/run with --verbose/);
    const unreadable = await weft(['recipes', 'create', 'missing.yaml', ...api]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/missing\.yaml: cannot read the file \(file not found\)/);
  });

  test('a saved recipe whose datapills could not be checked prints the warning on stderr', async () => {
    // Output fields that ask an API nobody answers (port 9, discard).
    const res = await fetch(`${server.url}/api/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'records-down',
        connector: 'records',
        values: { base_url: 'http://127.0.0.1:9/', api_key: 'k-123456' },
      }),
    });
    expect(res.status).toBe(201);
    await writeFile(
      join(work, 'unchecked.json'),
      JSON.stringify({
        name: 'Unchecked',
        trigger: {
          connector: 'records',
          connection: 'records-down',
          trigger: 'new_record',
          input: { object: 'contact' },
        },
        steps: [
          {
            id: 'n',
            connector: 'records',
            connection: 'records-down',
            action: 'note',
            input: { text: '=trigger.customer.phone' },
          },
        ],
      }),
    );
    const result = await weft(['recipes', 'create', 'unchecked.json', '--json', ...api]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).warnings).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^warning: The output fields of the trigger records\.new_record could not be resolved \(.*\), so these datapills were not checked: trigger\.customer\.phone\n$/,
    );
  });

  test('jobs list, get and rerun', async () => {
    const { jobs } = await server.store.createJobs({ recipeId, events: [{ text: 'one' }, { text: 'two' }] });
    for (const job of jobs) {
      await server.store.updateJob(job.id, {
        status: 'failed',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.500Z',
        error: { code: 'HTTP_ERROR', message: 'GET /x failed with HTTP 500', stepId: 'say' },
      });
    }
    await server.store.saveJobStep({
      jobId: jobs[1].id,
      seq: 0,
      stepId: 'say',
      status: 'failed',
      input: { text: 'two' },
      output: null,
      error: { code: 'HTTP_ERROR', message: 'GET /x failed with HTTP 500' },
      state: null,
      attempts: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.500Z',
    });

    const list = await weft(['jobs', 'list', '--recipe', recipeId, '--status', 'failed', ...api]);
    expect(list.stderr).toBe('');
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+RECIPE\s+STATUS\s+CREATED\s+TIME\s+ERROR$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[0])).toEqual([jobs[1].id, jobs[0].id]);
    expect(rows[1]).toMatch(/failed .* 1\.5s +say: GET \/x failed with HTTP 500$/);

    const paged = await weft(['jobs', 'list', '--recipe', recipeId, '--status', 'failed', '--limit', '1', ...api]);
    const cursor = /More jobs: add --cursor (\S+)/.exec(paged.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = await weft([
      'jobs',
      'list',
      '--recipe',
      recipeId,
      '--status',
      'failed',
      '--limit',
      '1',
      '--cursor',
      cursor!,
      '--json',
      ...api,
    ]);
    expect(JSON.parse(next.stdout)).toMatchObject({ items: [{ id: jobs[0].id }], nextCursor: null });

    const get = await weft(['jobs', 'get', jobs[1].id, ...api]);
    expect(get.stdout).toMatch(/^status: +failed$/m);
    expect(get.stdout).toMatch(/^error: +HTTP_ERROR: say: GET \/x failed with HTTP 500$/m);
    expect(get.stdout).toMatch(/^say +failed +1\.5s +HTTP_ERROR: GET \/x failed with HTTP 500$/m);

    const rerun = await weft(['jobs', 'rerun', jobs[1].id, ...api]);
    expect(rerun.stderr).toBe('');
    const newId = new RegExp(`^Re-running job ${jobs[1].id} as job (job_\\w+)`).exec(rerun.stdout)?.[1];
    expect(newId).toBeDefined();
    expect((await server.store.getJob(newId!))?.rerunOf).toBe(jobs[1].id);

    const missing = await weft(['jobs', 'get', 'job_nope', ...api]);
    expect(missing).toMatchObject({ code: 1, stderr: 'weft: No job with id "job_nope"\n' });
  });
});

describe('mistakes', () => {
  test('a wrong flag is a usage error', async () => {
    const result = await weft(['jobs', 'list', '--bogus', ...api]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--bogus'/);
    const status = await weft(['jobs', 'list', '--status', 'done', ...api]);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/Allowed choices are pending, running/);
  });

  test('an unreachable server says so, and a missing token says where to find one', async () => {
    const port = 1; // nothing listens there; a probed free port could be taken before the call
    const result = await weft(['recipes', 'list', '--server', `http://127.0.0.1:${port}`, '--token', 'x'.repeat(20)]);
    expect(result).toMatchObject({
      code: 1,
      stderr: `weft: Cannot reach Weft at http://127.0.0.1:${port}: is \`weft serve\` running?\n`,
    });
    const noToken = await weft(['jobs', 'list', '--server', server.url], { WEFT_HOME: join(work, 'nowhere') });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^weft: No API token: pass --token or set WEFT_TOKEN/);
    const wrong = await weft(['jobs', 'list', '--server', server.url, '--token', 'wrong-token-0123456789']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/The server refused the token/);
  });
});
