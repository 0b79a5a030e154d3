/**
 * The console's Agents page in Chromium against a real server, with real `weft agent`
 * processes (the built CLI) dialling in: register (the key shown once), online with its version,
 * requests served through a tunnelled connection, offline when stopped, rotate (the old agent
 * is refused and exits), revoke.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_KEY } from './fake-api.js';
import { type ConsolePage, type Harness, openConsole, startHarness } from './harness.js';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const TUNNEL_FIXTURES = fileURLToPath(new URL('./fixtures-tunnel', import.meta.url));
/** What `weft agent` reports as its version (packages/cli/src/main.ts). */
const CLI_VERSION = '0.1.0';

let h: Harness;
let dir: string;
let config: string;
const running = new Set<ChildProcess>();

interface Agent {
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Runs `weft agent --server … --key … --config …` (the built binary) until it says it is connected. */
async function runAgent(key: string): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'agent', '--server', h.server.url, '--key', key, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const agent: Agent = {
    output: () => output,
    exited,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
  const end = Date.now() + 15_000;
  while (!/connected to .* as agent/.test(output)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`weft agent did not connect:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return agent;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-console-agents-'));
  h = await startHarness({ connectorDirs: [TUNNEL_FIXTURES], env: { WEFT_AGENT_HEARTBEAT_MS: '300' } });
  config = join(dir, 'agent.yaml');
  const crm = new URL(h.api.url);
  await writeFile(config, `targets:\n  - { host: ${crm.hostname}, port: ${crm.port}, scheme: http }\n`);
}, 120_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The agent's row in the list. */
const rowOf = (page: Page, name: string): Locator => page.locator(`tr[data-agent="${name}"]`);

/** Waits (through the page's own refreshes, no reload) until the agent's row shows `text` in `column`. */
async function expectCell(page: Page, name: string, column: number, text: string | RegExp) {
  await rowOf(page, name).locator(':scope > *').nth(column).getByText(text).waitFor({ timeout: 15_000 });
}
const STATUS = 2;
const LAST_SEEN = 3;
const VERSION = 4;
const SERVED = 5;

/** The registration form's fields. */
const field = (page: Page, label: 'Name' | 'Group'): Locator =>
  page.getByRole('form', { name: 'Register an agent' }).getByLabel(label, { exact: true });

async function register(page: Page, name: string, group: string) {
  await field(page, 'Name').fill(name);
  await field(page, 'Group').fill(group);
  await page.getByRole('button', { name: 'Register agent' }).click();
}

describe('the Agents page', () => {
  let c: ConsolePage;
  let page: Page;
  let key: string;
  let agent: Agent;

  beforeAll(async () => {
    c = await openConsole(h, { path: '#/jobs' });
    page = c.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await page.getByText('No agents yet').waitFor();
  });

  afterAll(async () => {
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('refuses a bad name at the field with the API message, keeping what was typed', async () => {
    await register(page, 'plant 1!', 'plant');
    const error = page.locator('#agent-name-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/letter|digit/i);
    expect(await field(page, 'Name').getAttribute('aria-invalid')).toBe('true');
    expect(await field(page, 'Name').inputValue()).toBe('plant 1!');
    expect(await field(page, 'Group').inputValue()).toBe('plant');
  });

  test('registers an agent and shows its key once, with the command to run it', async () => {
    await field(page, 'Name').fill('plant-1');
    await page.getByRole('button', { name: 'Register agent' }).click();
    await page.getByText('Agent "plant-1" registered in group "plant"').waitFor();
    await page.getByText('it will not be shown again').waitFor();
    key = (await page.getByTestId('agent-key').textContent()) ?? '';
    expect(key).toMatch(/^weft_agent_/);
    expect(await page.getByTestId('agent-command').textContent()).toBe(
      `weft agent --server ${h.server.url} --key ${key} --config agent.yaml`,
    );
    expect(await page.getByRole('button', { name: 'Copy key' }).count()).toBe(1);
    // The form is empty again; the new agent is listed, offline and never seen.
    expect(await field(page, 'Name').inputValue()).toBe('');
    await expectCell(page, 'plant-1', STATUS, 'Offline');
    await expectCell(page, 'plant-1', LAST_SEEN, 'never');
    // Nothing keeps the key: not the address, not the browser's storage.
    expect(page.url()).not.toContain(key);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toContain(key);
  });

  test('says at the name field when the name is taken (409)', async () => {
    await register(page, 'plant-1', 'plant');
    await page.locator('#agent-name-error').getByText('An agent named "plant-1" exists already').waitFor();
    expect(await field(page, 'Group').inputValue()).toBe('plant');
  });

  test('leaving the page forgets the key', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await rowOf(page, 'plant-1').waitFor();
    expect(await page.getByTestId('agent-key').count()).toBe(0);
    expect(await page.getByText(key).count()).toBe(0);
  });

  test('shows a running agent online with its version, without a reload', async () => {
    agent = await runAgent(key);
    await expectCell(page, 'plant-1', STATUS, 'Online');
    await expectCell(page, 'plant-1', VERSION, CLI_VERSION);
    await expectCell(page, 'plant-1', LAST_SEEN, /just now|s ago/);
    const seen = rowOf(page, 'plant-1').locator('time');
    expect(await seen.getAttribute('title')).toMatch(/\d{4}/);
    expect(Date.parse((await seen.getAttribute('datetime')) ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  test('counts the requests of a connection that picks its group on the connection form', async () => {
    const form = await openConsole(h, { path: '#/connections/new?connector=onprem' });
    const p = form.page;
    await p.getByLabel('Agent group').waitFor();
    // The groups of the registered agents are suggested.
    await p.locator('#agent-groups option[value="plant"]').waitFor({ state: 'attached' });
    expect(await p.getByLabel('Agent group').getAttribute('list')).toBe('agent-groups');
    await p.getByLabel('Connection name').fill('crm-onprem');
    await p.getByLabel('API address').fill(h.api.url);
    await p.getByLabel('API key').fill(API_KEY);
    await p.getByLabel('Agent group').fill('plant');
    await p.getByRole('button', { name: 'Create connection' }).click();
    await p.getByRole('heading', { name: 'Connection crm-onprem' }).waitFor();
    expect(await p.getByLabel('Agent group').inputValue()).toBe('plant');
    await p.getByRole('button', { name: 'Test connection' }).click();
    await p.getByText('The connection works').waitFor();
    expect(form.errors).toEqual([]);
    await form.close();
    expect((await h.call('GET', '/api/connections/crm-onprem')).body.agentGroup).toBe('plant');
    await expectCell(page, 'plant-1', SERVED, /^[1-9]\d*$/);
  });

  test('shows the agent offline once it stops', async () => {
    expect(await agent.stop()).toBe(0);
    await expectCell(page, 'plant-1', STATUS, 'Offline');
    await expectCell(page, 'plant-1', VERSION, CLI_VERSION);
  });

  test('groups: filters the list by group, with how many of each are online', async () => {
    await register(page, 'office-1', 'office');
    await page.getByText('Agent "office-1" registered in group "office"').waitFor();
    await page.getByRole('button', { name: 'I have copied the key' }).click();
    expect(await page.getByTestId('agent-key').count()).toBe(0);
    const filter = page.getByRole('form', { name: 'Filter agents' }).getByLabel('Group');
    await filter.selectOption({ label: 'office (0 of 1 online)' });
    await rowOf(page, 'office-1').waitFor();
    expect(await rowOf(page, 'plant-1').count()).toBe(0);
    await filter.selectOption({ label: 'All groups' });
    await rowOf(page, 'plant-1').waitFor();
  });

  test('rotates a key: the new one is shown once, the agent with the old one is disconnected', async () => {
    agent = await runAgent(key);
    await expectCell(page, 'plant-1', STATUS, 'Online');
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Rotate the key of the agent plant-1' }).click();
    await page.getByText('New key for agent "plant-1"').waitFor();
    await page.getByText('The old key stopped working').waitFor();
    const rotated = (await page.getByTestId('agent-key').textContent()) ?? '';
    expect(rotated).toMatch(/^weft_agent_/);
    expect(rotated).not.toBe(key);
    // The old agent's session closes and its key is refused when it dials again.
    expect(await agent.exited).toBe(2);
    expect(agent.output()).toMatch(/refused the agent key/);
    await expectCell(page, 'plant-1', STATUS, 'Offline');
    // The new key works.
    agent = await runAgent(rotated);
    await expectCell(page, 'plant-1', STATUS, 'Online');
  });

  test('revokes an agent after a confirmation: it disappears and its process is refused', async () => {
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.getByRole('button', { name: 'Revoke the agent plant-1' }).click();
    await expectCell(page, 'plant-1', STATUS, 'Online');
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Revoke the agent plant-1' }).click();
    await rowOf(page, 'plant-1').waitFor({ state: 'detached' });
    expect(asked).toContain('Revoke the agent "plant-1"');
    expect(await agent.exited).toBe(2);
    expect((await h.call('GET', '/api/agents/plant-1')).status).toBe(404);
  });
});
