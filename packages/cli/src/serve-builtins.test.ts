/**
 * `weft serve` and the built-in connectors: listed on start next to the user's connectors, and
 * left out with `--no-builtins` (or `WEFT_BUILTINS=off`, which the test suite sets). Their
 * connector hosts start on first use, not with the server: the server's child processes are
 * read from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { expect, test } from 'vitest';
import { type RunningWeft, startWeft, waitUntil } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__/connectors', import.meta.url));

async function serveOutput(flags: string[]): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-builtins-'));
  // WEFT_BUILTINS empty: the default (the suite runs with it off).
  const weft = startWeft(['serve', '--port', '0', '--connectors', FIXTURES, ...flags], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '', WEFT_BUILTINS: '' },
  });
  try {
    await weft.waitFor(/roles: /, { stream: 'stdout', timeoutMs: 30_000 });
    return weft.stdout();
  } finally {
    await weft.stop('SIGTERM');
  }
}

test('weft serve loads the built-in connectors by default and lists them apart; --no-builtins leaves them out', async () => {
  const on = await serveOutput([]);
  expect(on).toMatch(/^ {2}connectors: crm$/m);
  expect(on).toMatch(/^ {2}built-in connectors: .*\bhttp\b/m);
  const off = await serveOutput(['--no-builtins']);
  expect(off).toMatch(/^ {2}connectors: crm$/m);
  expect(off).not.toContain('built-in connectors');
});

const TOKEN = 'serve-builtins-test-token-0123456789';

/** The connector hosts (`host-main`) running as children of the process `pid`. */
function hostsOf(pid: number | undefined): number[] {
  const hosts: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": the fields after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== pid || state === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('host-main')) hosts.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return hosts;
}

/** `weft serve` with only the built-in connectors, on a fresh home. */
async function serveBuiltinsOnly(): Promise<{
  weft: RunningWeft;
  base: string;
  home: string;
  cleanup(): Promise<void>;
}> {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-builtins-'));
  const none = await mkdtemp(join(tmpdir(), 'weft-serve-builtins-none-'));
  const weft = startWeft(['serve', '--port', '0', '--connectors', none], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN, WEFT_BUILTINS: '' },
  });
  const [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
  await weft.waitFor(/roles: /, { stream: 'stdout', timeoutMs: 30_000 });
  return {
    weft,
    base,
    home,
    async cleanup() {
      await weft.stop('SIGTERM');
      await rm(home, { recursive: true, force: true });
      await rm(none, { recursive: true, force: true });
    },
  };
}

/** `POST /api/connectors/util/run` of compose_json: the status and body. */
async function composeJson(base: string, json: string): Promise<{ status: number; body: any }> {
  const res = await request(`${base}/api/connectors/util/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'compose_json', input: { json } }),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

test('no built-in connector starts a host with the server; the first operations of one share a single host', async () => {
  const { weft, base, cleanup } = await serveBuiltinsOnly();
  try {
    expect(hostsOf(weft.pid)).toEqual([]);
    // Two first uses at once: both answered, by one host started for them.
    const [a, b] = await Promise.all([composeJson(base, '{"n": 1}'), composeJson(base, '{"n": 2}')]);
    expect(a).toMatchObject({ status: 200, body: { output: { value: { n: 1 } } } });
    expect(b).toMatchObject({ status: 200, body: { output: { value: { n: 2 } } } });
    expect(hostsOf(weft.pid)).toHaveLength(1);
    expect(await composeJson(base, '[]')).toMatchObject({ status: 200, body: { output: { value: [] } } });
    expect(hostsOf(weft.pid)).toHaveLength(1);
  } finally {
    await cleanup();
  }
}, 60_000);

test("a built-in connector whose host cannot load fails its first operations with the host's error, then tries again", async () => {
  const { weft, base, home, cleanup } = await serveBuiltinsOnly();
  try {
    // The bundle the util connector's hosts load, made to exit as it loads.
    const bundles = join(home, 'connectors', '.bundles');
    let util: string | undefined;
    for (const file of (await readdir(bundles)).filter((f) => f.endsWith('.manifest.json'))) {
      const kept = JSON.parse(await readFile(join(bundles, file), 'utf8'));
      if (kept.manifest?.title === 'Util') util = join(bundles, file.replace(/\.manifest\.json$/, '.mjs'));
    }
    expect(util).toBeDefined();
    await writeFile(util!, 'process.exit(3);\n');
    const [a, b] = await Promise.all([composeJson(base, '{}'), composeJson(base, '{}')]);
    for (const answer of [a, b]) {
      expect(answer.status).toBe(422);
      expect(answer.body.error.code).toBe('CONNECTOR_CRASHED');
      expect(answer.body.error.message).toMatch(/connector "Util"/);
    }
    expect(b.body.error.message).toBe(a.body.error.message);
    await waitUntil(() => hostsOf(weft.pid).length === 0, 'the failed host to be gone');
    // The next operation starts a host again (and fails the same way: the bundle still exits).
    const again = await composeJson(base, '{}');
    expect(again.body.error).toEqual(a.body.error);
  } finally {
    await cleanup();
  }
}, 60_000);
