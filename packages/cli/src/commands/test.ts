/**
 * `weft test [--record] [vitest args...]`: runs a connector project's tests with the Vitest that
 * ships with Weft (resolved from the CLI's own dependencies, so a `weft new` project needs no
 * `npm install`), then the contract checks. `--record` sets WEFT_RECORD=1: cassettes are
 * recorded against the live API instead of replayed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CONNECTOR_EXTENSIONS } from '@weft/sdk/runtime';
import type { TestFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { runChecks } from './check.js';
import { type TestIsolation, testIsolation } from './test-isolation.js';

const require = createRequire(import.meta.url);

const VITEST_CONFIGS = ['vitest.config', 'vite.config', 'vitest.workspace'].flatMap((base) =>
  ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => `${base}${ext}`),
);

/** The Vitest CLI entry of the Vitest Weft depends on. */
export function vitestBin(): string {
  const pkg = require.resolve('vitest/package.json');
  return join(dirname(pkg), 'vitest.mjs');
}

function resolvableFrom(dir: string, id: string): boolean {
  try {
    createRequire(join(dir, 'noop.js')).resolve(id);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Vitest config for a project that has none: tests anywhere in the project, and `@weft/sdk`
 * (with `/testing`, `/runtime` and `/oauth2`) mapped to Weft's own copy when the project has not
 * installed it.
 */
function configText(root: string): string {
  const alias: { find: string; replacement: string }[] = [];
  if (!resolvableFrom(root, '@weft/sdk')) {
    alias.push(
      { find: '^@weft/sdk/testing$', replacement: require.resolve('@weft/sdk/testing') },
      { find: '^@weft/sdk/runtime$', replacement: require.resolve('@weft/sdk/runtime') },
      { find: '^@weft/sdk/oauth2$', replacement: require.resolve('@weft/sdk/oauth2') },
      { find: '^@weft/sdk$', replacement: require.resolve('@weft/sdk') },
    );
  }
  const aliases = alias.map(
    (a) => `{ find: new RegExp(${JSON.stringify(a.find)}), replacement: ${JSON.stringify(a.replacement)} }`,
  );
  return `// Written by \`weft test\` for a project without a Vitest config.
export default {
  root: ${JSON.stringify(root)},
  resolve: { alias: [${aliases.join(', ')}] },
  test: {
    include: ['**/*.{test,spec}.{ts,mts,js,mjs}'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.weft/**'],
    testTimeout: 30000,
  },
};
`;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

function connectorIn(dir: string): string | undefined {
  return CONNECTOR_EXTENSIONS.map((ext) => join(dir, `connector${ext}`)).find((f) => existsSync(f));
}

export async function testCommand(vitestArgs: string[], flags: TestFlags, reporter: Reporter): Promise<number> {
  let tmp: string | undefined;
  let isolation: TestIsolation | undefined;
  try {
    const root = resolve('.');
    const args = [vitestBin(), 'run'];
    if (
      !VITEST_CONFIGS.some((name) => existsSync(join(root, name))) &&
      !vitestArgs.some((a) => a.startsWith('--config') || a === '-c')
    ) {
      tmp = await mkdtemp(join(tmpdir(), 'weft-test-'));
      const config = join(tmp, 'vitest.config.mjs');
      await writeFile(config, configText(root));
      args.push('--config', config);
    }
    const env = { ...process.env };
    if (flags.isolate) {
      tmp ??= await mkdtemp(join(tmpdir(), 'weft-test-'));
      isolation = await testIsolation(root, connectorIn(root), tmp);
      args.push(...isolation.args);
      Object.assign(env, isolation.env);
    }
    args.push(...vitestArgs);
    if (flags.record) env.WEFT_RECORD = '1';
    const testsCode = await run(process.execPath, args, root, env);
    let checkCode = 0;
    const connector = connectorIn(root);
    if (flags.check !== false && connector) {
      process.stdout.write('\n');
      checkCode = await runChecks(connector, {}, (s) => process.stdout.write(s));
    }
    return testsCode !== 0 ? testsCode : checkCode;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    await isolation?.cleanUp();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
