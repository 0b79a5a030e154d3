/**
 * How a connector host is started: Node's permission model (reads limited to Weft's own code,
 * the `node_modules` folders it and the bundle resolve packages from, and the bundle itself;
 * writes to a scratch folder; no child processes, worker threads or native addons), V8's heap
 * limit, and an environment that carries none of the server's variables.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Variables a host keeps from the server's environment (network and locale settings only). */
const KEPT_ENV = [
  'PATH',
  'TZ',
  'LANG',
  'LC_ALL',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** `--permission` from Node 22.13/23.5; before, `--experimental-permission`. */
export function permissionFlag(version = process.versions.node): string {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13)
    ? '--permission'
    : '--experimental-permission';
}

/** A compiled module of this folder (from `src/` under a test runner, the `dist/` file beside it). */
function compiled(name: string): string {
  const here = fileURLToPath(new URL(`./${name}`, import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
  if (existsSync(built)) return built;
  throw new Error(`${name} is not built (${built}): run npm run build`);
}

/** The compiled host entry. */
export function hostEntry(): string {
  return compiled('host-main.js');
}

function packageRoot(specifier: string): string {
  const entry = realpathSync(createRequire(import.meta.url).resolve(specifier));
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Every existing `node_modules` folder on the way up from `dir`. */
function nodeModulesAbove(dir: string): string[] {
  const out: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules');
    if (existsSync(candidate)) out.push(candidate);
    if (dirname(at) === at) return out;
  }
}

/** What a host may read besides its bundle: Weft's compiled code and the packages it loads. */
export function weftReadPaths(): string[] {
  const entryDir = dirname(dirname(hostEntry()));
  const sdk = packageRoot('@weft/sdk');
  const paths = new Set<string>([entryDir, join(sdk, 'dist'), ...nodeModulesAbove(entryDir), ...nodeModulesAbove(sdk)]);
  return [...paths];
}

export interface SpawnLimits {
  memoryMb: number;
}

/**
 * One `--allow-fs-read` per distinct path: Node 20 aborts the process (an assertion in its
 * permission tree) when a path is given twice, as the checkout's `node_modules` is when the data
 * directory lies inside the checkout (`npm start`'s `./.weft`).
 */
function readFlags(paths: string[]): string[] {
  return [...new Set(paths.map((path) => resolve(path)))].map((path) => `--allow-fs-read=${path}`);
}

export function hostExecArgv(bundle: string, scratch: string, limits: SpawnLimits): string[] {
  const reads = [...weftReadPaths(), ...nodeModulesAbove(dirname(bundle)), bundle];
  return [
    permissionFlag(),
    ...readFlags(reads),
    `--allow-fs-write=${scratch}`,
    `--max-old-space-size=${Math.max(16, Math.floor(limits.memoryMb * 0.75))}`,
    '--disable-warning=ExperimentalWarning',
  ];
}

export function hostEnv(env: NodeJS.ProcessEnv, scratch: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { HOME: scratch, TMPDIR: scratch, NODE_ENV: env.NODE_ENV ?? 'production' };
  for (const key of KEPT_ENV) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

/**
 * `weft test --isolate`: the arguments of each test worker (Vitest's `--execArgv`) — the host's
 * permission model with reads of the project (its tests, fixtures, cassettes), Weft's code and
 * the test configuration, writes in the project (cassettes, snapshots), the heap limit, and the
 * host's egress and signal guards preloaded. No child processes, threads or addons.
 */
export function testWorkerArgv(options: { root: string; configDir?: string; memoryMb: number }): string[] {
  const reads = [...weftReadPaths(), ...nodeModulesAbove(options.root), options.root];
  if (options.configDir) reads.push(options.configDir);
  return [
    permissionFlag(),
    ...readFlags(reads),
    `--allow-fs-write=${options.root}`,
    `--max-old-space-size=${Math.max(16, Math.floor(options.memoryMb * 0.75))}`,
    '--disable-warning=ExperimentalWarning',
    `--import=${pathToFileURL(compiled('test-preload.js')).href}`,
  ];
}
