/**
 * `weft serve` restarted on the same home: connectors whose files did not change are neither
 * bundled again (no esbuild process) nor loaded in a host (no connector host) until used; a
 * changed file, or a new file an import now resolves to, is picked up. The server's child
 * processes are read from /proc.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, expect, test } from 'vitest';
import { startWeft } from './test-helpers.js';

const TOKEN = 'serve-restart-test-token-0123456789';
const home = mkdtempSync(join(tmpdir(), 'weft-serve-restart-'));
const folders = mkdtempSync(join(tmpdir(), 'weft-serve-restart-folders-'));
const demo = join(folders, 'demo');

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(folders, { recursive: true, force: true });
});

/** Writes `name` in the demo folder, dated an hour ago (as files are that were not just edited). */
function write(name: string, content: string): void {
  const file = join(demo, name);
  writeFileSync(file, content);
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(file, past, past);
  utimesSync(demo, past, past);
}

/** The command lines of the processes whose parent is `pid`. */
function childrenOf(pid: number | undefined): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8'));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Starts the server, runs `during` with it, stops it. */
async function serving(during: (ctx: { base: string; pid: number | undefined }) => Promise<void>): Promise<void> {
  const weft = startWeft(['serve', '--port', '0', '--no-builtins', '--connectors', folders], {
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: TOKEN },
  });
  try {
    const [, base] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 30_000 });
    await weft.waitFor(/roles: /, { stream: 'stdout', timeoutMs: 30_000 });
    await during({ base, pid: weft.pid });
  } finally {
    await weft.stop('SIGTERM');
  }
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${path} → ${res.statusCode}: ${text}`);
  return JSON.parse(text);
}

async function greet(base: string): Promise<unknown> {
  return (await call(base, 'POST', '/api/connectors/demo/run', { action: 'greet', input: {} })).output;
}

async function versions(base: string): Promise<number> {
  return (await call(base, 'GET', '/api/connectors/demo/versions')).items.length;
}

test('a restart bundles and loads no unchanged connector; a changed or newly resolved file is picked up', async () => {
  mkdirSync(demo);
  write('greeting.ts', "export const greeting = 'hi';\n");
  write(
    'connector.ts',
    "import { greeting } from './greeting';\n" +
      "export default { title: 'Demo', actions: { greet: { execute: () => ({ greeting }) } } };\n",
  );
  await serving(async ({ base }) => {
    expect(await greet(base)).toEqual({ greeting: 'hi' });
  });
  // Nothing changed: no esbuild, no host, the same version; the first use starts one host.
  await serving(async ({ base, pid }) => {
    expect(childrenOf(pid)).toEqual([]);
    expect(await greet(base)).toEqual({ greeting: 'hi' });
    expect(childrenOf(pid).filter((c) => c.includes('host-main'))).toHaveLength(1);
    expect(await versions(base)).toBe(1);
  });
  write('greeting.ts', "export const greeting = 'hello';\n");
  await serving(async ({ base }) => {
    expect(await greet(base)).toEqual({ greeting: 'hello' });
    expect(await versions(base)).toBe(2);
  });
  // esbuild resolves './greeting' to a .tsx before a .ts: a new file beside it changes the bundle.
  write('greeting.tsx', "export const greeting = 'shadowed';\n");
  await serving(async ({ base }) => {
    expect(await greet(base)).toEqual({ greeting: 'shadowed' });
    expect(await versions(base)).toBe(3);
  });
}, 120_000);
