import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorSummary, Page } from '@weft/sdk/model';
import { expect, test } from 'vitest';
import { BIN, type RunningWeft, runWeft, startWeft } from './test-helpers.js';

const FIXTURES = fileURLToPath(new URL('../../platform/src/__fixtures__/connectors', import.meta.url));

test('weft serve prints where it runs and how to log in, serves the API, and stops on SIGTERM', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--connectors', FIXTURES], {
    env: { ...process.env, WEFT_HOME: home, WEFT_ADMIN_TOKEN: '' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /Weft is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('connectors:')) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`weft serve exited with ${code}: ${out}`)));
  });
  expect(out).toContain(`log in with the admin token in ${join(home, 'admin.token')} (created now)`);
  expect(out).toMatch(/connectors: crm/);
  expect(out).toContain(`console: ${url}/`);
  expect(out).toMatch(/! .*broken/);
  const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
  expect((await stat(join(home, 'admin.token'))).mode & 0o777).toBe(0o600);
  expect(out).not.toContain(token);

  expect((await fetch(`${url}/api/health`)).status).toBe(200);
  expect((await fetch(`${url}/api/connectors`)).status).toBe(401);
  const list = await fetch(`${url}/api/connectors`, { headers: { authorization: `Bearer ${token}` } });
  expect(((await list.json()) as Page<ConnectorSummary>).items.map((c) => c.name)).toEqual(['crm']);
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);

  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('weft serve with a bad port or a missing connector folder is a clear error', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-'));
  const badPort = await runWeft(['serve', '--port', 'eighty'], { env: { WEFT_HOME: home } });
  expect(badPort.code).toBe(2);
  expect(badPort.stderr).toMatch(/--port must be a port number/);
  const missing = await runWeft(['serve', '--port', '0', '--connectors', join(home, 'nope')], {
    env: { WEFT_HOME: home },
  });
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toMatch(/Connector folder not found/);
});

test('a second weft serve on the same WEFT_HOME refuses to start and names the first; after kill -9 a restart starts at once', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-'));
  const env = { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '' };
  let first: RunningWeft | undefined = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], { env });
  let third: RunningWeft | undefined;
  try {
    const [, url] = await first.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    const second = await runWeft(['serve', '--port', '0', '--connectors', FIXTURES], { env });
    expect(second.code).not.toBe(0);
    expect(second.stdout).not.toContain('Weft is running');
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/another weft serve/i);
    expect(lines[0]).toContain(home);
    expect(lines[0]).toContain(`pid ${first.pid}`);
    expect(lines[0]).toContain(url);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    // The first one is untouched.
    expect((await fetch(`${url}/api/health`)).status).toBe(200);

    // The lock dies with its holder: a restart right after kill -9 succeeds.
    await first.stop('SIGKILL');
    first = undefined;
    third = startWeft(['serve', '--port', '0', '--connectors', FIXTURES], { env });
    const [, again] = await third.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    expect((await fetch(`${again}/api/health`)).status).toBe(200);
  } finally {
    await first?.stop('SIGKILL');
    await third?.stop('SIGTERM');
  }
}, 60_000);

test('weft serve --connectors <a connector project> serves that one connector (npm run serve in a project)', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-serve-'));
  const server = startWeft(['serve', '--port', '0', '--connectors', '.'], {
    cwd: join(FIXTURES, 'crm'),
    env: { WEFT_HOME: home, WEFT_ADMIN_TOKEN: '' },
  });
  try {
    const [, url] = await server.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 20_000 });
    await server.waitFor(/connectors: .*\n/, { stream: 'stdout' });
    expect(server.stdout()).toMatch(/connectors: .*\bcrm\b/);
    const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
    const list = await fetch(`${url}/api/connectors`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await list.json()) as Page<ConnectorSummary>).items.map((c) => c.name)).toContain('crm');
  } finally {
    await server.stop('SIGTERM');
  }
}, 60_000);
