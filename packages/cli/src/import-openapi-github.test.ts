/**
 * GitHub's REST API description (`@octokit/openapi`, ~1,000 operations) end to end: the full
 * import passes `weft validate` and `weft check`; actions of an import limited by `--only` run
 * with `weft exec` against a local server that replays the spec's own examples.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutput, type Field } from '@weft/sdk';
import { execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { execWeft, runWeft, startServer, type TestServer, writeIn } from './test-helpers.js';

const SPEC = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

type Obj = Record<string, any>;

/** Follows local `$ref`s of the raw spec (the replay server reads it independently of the importer). */
function deref(spec: Obj, value: unknown): any {
  let current = value as Obj | undefined;
  for (let i = 0; i < 10 && current && typeof current.$ref === 'string'; i++) {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((node: Obj | undefined, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
}

/** An Example Object (`summary`, `value`, extensions) rather than the example itself. */
const isExampleObject = (v: unknown): v is { value: unknown } =>
  typeof v === 'object' &&
  v !== null &&
  'value' in v &&
  Object.keys(v).every((k) => ['summary', 'description', 'value'].includes(k) || k.startsWith('x-'));

interface Replay {
  method: string;
  pattern: RegExp;
  status: number;
  body: unknown;
}

/** One replay per operation with a JSON example in its 2xx response. */
function replays(spec: Obj): Replay[] {
  const out: Replay[] = [];
  for (const [path, item] of Object.entries<Obj>(spec.paths)) {
    for (const [method, op] of Object.entries<Obj>(item)) {
      for (const [code, raw] of Object.entries<Obj>(op.responses ?? {})) {
        if (!/^2\d\d$/.test(code)) continue;
        const media = deref(spec, raw)?.content?.['application/json'];
        const first = media?.examples ? Object.values<Obj>(media.examples)[0] : undefined;
        let example = deref(spec, first);
        example = deref(spec, example && 'value' in example ? example.value : example);
        if (isExampleObject(example)) example = example.value;
        if (example === undefined) continue;
        const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
        out.push({
          method: method.toUpperCase(),
          pattern: new RegExp(`^${source}$`),
          status: Number(code),
          body: example,
        });
        break;
      }
    }
  }
  return out;
}

let spec: Obj;
let server: TestServer;
beforeAll(async () => {
  spec = JSON.parse(await readFile(SPEC, 'utf8'));
  const table = replays(spec);
  server = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const hit = table.find((r) => r.method === req.method && r.pattern.test(decodeURIComponent(path)));
    res.writeHead(hit ? hit.status : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(hit ? hit.body : { message: 'Not Found' }));
  });
});
afterAll(() => server?.close());

test('the whole GitHub API imports, and passes weft validate and weft check', { timeout: 180_000 }, async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'weft-github-')), 'github');
  const imported = await runWeft(['import', 'openapi', SPEC, '--out', out]);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  const count = Number(/(\d+) actions/.exec(imported.stdout)?.[1]);
  expect(count).toBeGreaterThan(1000);
  // Split by tag: one actions file per tag, object definitions in their own files.
  expect((await readdir(join(out, 'actions'))).length).toBeGreaterThan(30);
  const validated = await runWeft(['validate', out]);
  expect(validated.stdout).toContain(`valid (${count} actions`);
  const checked = await runWeft(['check', out]);
  expect(checked.stdout).toContain('contract checks passed: 0 errors, 0 warnings');
  expect(checked.code).toBe(0);
});

test('imported GitHub actions run with weft exec against a server replaying the spec examples', {
  timeout: 120_000,
}, async () => {
  const root = await mkdtemp(join(tmpdir(), 'weft-github-'));
  const out = join(root, 'github-issues');
  const imported = await runWeft(['import', 'openapi', SPEC, '--out', out, '--only', 'issues,meta/root']);
  expect(imported.code).toBe(0);
  const connector = join(out, 'connector.ts');
  const settings = await writeIn(root, 'settings.yaml', `base_url: ${server.url}\n`);
  const loaded = await loadConnectorFile(connector);
  const outputFields = async (action: string) => {
    const result = await execute(loaded.definition, `actions.${action}.output_fields`);
    return (result.kind === 'output' ? result.output : []) as Field[];
  };
  const issue = deref(spec, spec.components.examples.issue).value;

  server.requests.length = 0;
  const got = await execWeft(
    connector,
    settings,
    'actions.issues_get.execute',
    '--input',
    JSON.stringify({ owner: 'octocat', repo: 'Hello World', issue_number: '1347' }),
  );
  expect(got.stderr).toBe('');
  const gotOutput = JSON.parse(got.stdout);
  expect(gotOutput).toEqual(issue);
  expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/repos/octocat/Hello%20World/issues/1347' });
  expect(checkOutput(await outputFields('issues_get'), gotOutput)).toEqual([]);

  const listed = await execWeft(
    connector,
    settings,
    'actions.issues_list_for_repo.execute',
    '--input',
    JSON.stringify({ owner: 'octocat', repo: 'hello', state: 'open', per_page: 2 }),
  );
  expect(listed.stderr).toBe('');
  expect(JSON.parse(listed.stdout).items[0].number).toBe(1347);
  expect(server.requests[1].url).toBe('/repos/octocat/hello/issues?state=open&per_page=2');

  const created = await execWeft(
    connector,
    settings,
    'actions.issues_create.execute',
    '--input',
    JSON.stringify({ owner: 'octocat', repo: 'hello', title: 'Found a bug', labels: ['bug'] }),
  );
  expect(created.stderr).toBe('');
  expect(JSON.parse(created.stdout).number).toBe(1347);
  expect(server.requests[2]).toMatchObject({ method: 'POST', url: '/repos/octocat/hello/issues' });
  expect(JSON.parse(server.requests[2].body)).toEqual({ title: 'Found a bug', labels: ['bug'] });

  // The connection test is the API root (GET /), chosen because it needs no input.
  const tested = await execWeft(connector, settings, 'test');
  expect(tested.stderr).toBe('');
  expect(server.requests[3]).toMatchObject({ method: 'GET', url: '/' });
});
