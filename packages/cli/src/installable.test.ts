/**
 * Weft installed the way a connector developer installs it in their own repository: `npm pack`
 * of @weft/sdk, @weft/platform, @weft/cli and create-weft (from the built dist/, nothing is
 * rebuilt), a scratch project in the temp folder (outside this repository, so Node finds nothing
 * of the checkout's node_modules), `npm i -D <tarballs>` (real copies, no workspace links), then
 * `weft new`, `weft exec`, `weft test`, `weft serve` and `npm create weft`. A file missing from a
 * package's `files`, or a dependency the monorepo hoists but a package does not declare, fails it.
 *
 * The install is `--prefer-offline`: the tarballs of the dependencies come from the npm cache that
 * `npm install` in the checkout filled, but npm still needs each package's metadata, which an
 * install from the lockfile never fetched, so the first run on a machine asks the registry (later
 * runs use the cached metadata). Third-party install scripts are skipped (`--ignore-scripts`):
 * better-sqlite3 would compile for minutes; its native module is taken from the checkout (same
 * version, checked), and esbuild works from its platform package without its postinstall.
 */
import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, type RunResult, runCommand, startProcess, startServer, type TestServer } from './test-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKED = ['sdk', 'platform', 'cli', 'create-weft'] as const;
const INSTALL_MS = 300_000;

/** The environment of a user's shell: nothing of this test run (npm's, Vitest's) leaks in. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|NODE_OPTIONS$|NODE_PATH$|WEFT_|INIT_CWD$|FORCE_COLOR$)/i.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(command, args, { cwd, env: userEnv(env) });
}

/** Fails with the command's output when it did not succeed. */
function ok(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

let work: string;
let project: string;
const tarballs: Record<(typeof PACKED)[number], string> = { sdk: '', platform: '', cli: '', 'create-weft': '' };
/** The installed `weft` as npm links it for the project (`npx weft`). */
let weft: string;

beforeAll(async () => {
  // The project must sit where no node_modules of the checkout is on Node's way up.
  work = await mkdtemp(join(tmpdir(), 'weft-installable-'));
  expect(existsSync(join(tmpdir(), 'node_modules'))).toBe(false);
  const packs = join(work, 'tarballs');
  await mkdir(packs);
  for (const name of PACKED) {
    const packed = ok(
      await run('npm', ['pack', '--json', '--pack-destination', packs], join(ROOT, 'packages', name)),
      `npm pack of packages/${name}`,
    );
    const [info] = JSON.parse(packed.stdout) as { filename: string }[];
    tarballs[name] = join(packs, info.filename);
  }
  // The copies that prepack made for the tarballs are gone again from the checkout.
  expect(existsSync(join(ROOT, 'packages/platform/console'))).toBe(false);
  expect(existsSync(join(ROOT, 'packages/create-weft/templates'))).toBe(false);

  project = join(work, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  ok(
    await run(
      'npm',
      [
        'install',
        '--save-dev',
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        tarballs.sdk,
        tarballs.platform,
        tarballs.cli,
      ],
      project,
    ),
    'npm install of the tarballs',
  );
  const sqlite = 'node_modules/better-sqlite3';
  const version = async (dir: string) => JSON.parse(await readFile(join(dir, sqlite, 'package.json'), 'utf8')).version;
  expect(await version(project)).toBe(await version(ROOT));
  await mkdir(join(project, sqlite, 'build/Release'), { recursive: true });
  await copyFile(
    join(ROOT, sqlite, 'build/Release/better_sqlite3.node'),
    join(project, sqlite, 'build/Release/better_sqlite3.node'),
  );
  weft = join(project, 'node_modules/.bin/weft');
}, INSTALL_MS);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Weft installed from packed tarballs in a project outside the repository', () => {
  test('the packages are real copies, not links into the checkout', async () => {
    for (const name of ['sdk', 'platform', 'cli']) {
      expect((await lstat(join(project, 'node_modules/@weft', name))).isSymbolicLink()).toBe(false);
    }
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@weft/cli', '@weft/platform', '@weft/sdk']);
  });

  test('npx weft new writes a project that weft exec runs, against a local API too', async () => {
    const created = ok(await run('npx', ['--no', 'weft', 'new', 'my-connector'], project), 'npx weft new');
    expect(created.stdout).toContain('Created My Connector');
    const dir = join(project, 'my-connector');
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const cli = JSON.parse(await readFile(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ '@weft/sdk': `^${cli.version}` });
    expect(manifest.devDependencies).toEqual({ '@weft/cli': `^${cli.version}`, vitest: cli.dependencies.vitest });
    expect(existsSync(join(dir, 'tsconfig.json'))).toBe(true);

    const greet = ok(await run(weft, ['exec', 'actions.greet.execute', '--input=input.json'], dir), 'weft exec');
    expect(JSON.parse(greet.stdout)).toEqual({ greeting: 'Hello, Ada! Hello, Ada!' });

    let api: TestServer | undefined;
    try {
      api = await startServer((req, res) => json(res, 200, { id: 3, name: `item at ${req.url}` }));
      await writeFile(join(dir, 'settings.yaml'), `base_url: ${api.url}/v1\napi_key: k-123\n`);
      await writeFile(join(dir, 'item.json'), '{ "id": 3 }');
      const item = ok(
        await run(weft, ['exec', 'actions.get_item.execute', '--input=item.json'], dir),
        'weft exec get_item',
      );
      expect(JSON.parse(item.stdout)).toEqual({ id: 3, name: 'item at /v1/items/3' });
      expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer k-123']);
    } finally {
      await api?.close();
    }
  }, 60_000);

  test('weft test runs the project tests with the Vitest the CLI depends on, then the checks', async () => {
    const dir = join(project, 'my-connector');
    const tested = ok(await run(weft, ['test'], dir), 'weft test');
    expect(tested.stdout).toMatch(/Tests\s+2 passed/);
    expect(tested.stdout).toContain('my-connector: contract checks passed');
  }, 120_000);

  test('weft serve answers /healthz, serves the packed console and lists the connector (and the built-ins)', async () => {
    const home = join(work, 'home');
    const server = startProcess(weft, ['serve', '--port', '0', '--connectors', 'my-connector'], {
      cwd: project,
      env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '', WEFT_BUILTINS: 'on' },
    });
    try {
      const [, url] = await server.waitFor(/Weft is running at (http:\/\/\S+)/, {
        stream: 'stdout',
        timeoutMs: 60_000,
      });
      await server.waitFor(/connectors: .*\n/, { stream: 'stdout' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
      const list = await fetch(`${url}/api/connectors`, { headers: { authorization: `Bearer ${token}` } });
      const names = ((await list.json()) as { items: { name: string }[] }).items.map((c) => c.name);
      // The built-in connectors of the platform, when this checkout has them, come with the package.
      const builtins = join(ROOT, 'packages/platform/builtins');
      const expected = existsSync(builtins)
        ? (await readdir(builtins, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
        : [];
      expect(names).toEqual(expect.arrayContaining(['my-connector', ...expected]));
      // No example connectors of the checkout: there is none around an installed platform.
      expect(names).not.toContain('json-crm');

      const page = await (await fetch(`${url}/`)).text();
      expect(page).not.toContain('The web console is not built');
      const asset = /\/assets\/[^"']+\.js/.exec(page)?.[0];
      expect(asset).toBeDefined();
      expect((await fetch(`${url}${asset}`)).status).toBe(200);
    } finally {
      await server.stop('SIGTERM');
    }
  }, 90_000);

  test('npm create weft (create-weft from its tarball) scaffolds a project that runs', async () => {
    const created = ok(
      await run(
        'npm',
        ['exec', '--yes', '--package', tarballs['create-weft'], '--', 'create-weft', 'acme-crm'],
        project,
      ),
      'create-weft',
    );
    expect(created.stdout).toContain('Created Acme Crm in acme-crm');
    expect(created.stdout).toContain('npm install');
    const dir = join(project, 'acme-crm');
    expect((await readdir(dir)).sort()).toEqual(
      [
        '.gitignore',
        'README.md',
        '__cassettes__',
        'connector.test.ts',
        'connector.ts',
        'input.json',
        'package.json',
        'settings.yaml.example',
        'tsconfig.json',
      ].sort(),
    );
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@weft/sdk']);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@weft/cli', 'vitest']);
    // Its dependencies are the scratch project's (Node looks up from acme-crm/).
    const greet = ok(await run(weft, ['exec', 'actions.greet.execute', '--input=input.json'], dir), 'weft exec');
    expect(JSON.parse(greet.stdout)).toEqual({ greeting: 'Hello, Ada! Hello, Ada!' });
    ok(await run(weft, ['validate'], dir), 'weft validate');
  }, 120_000);
});
