/**
 * Screenshots of the console's main pages for docs/console.md, taken from the real console
 * against the platform with the test fixtures: `npm run screenshots -w @weft/console`.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCrmConnection, type Harness, openConsole, startHarness } from './harness.js';

const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await mkdir(IMAGES, { recursive: true });
  await createCrmConnection(h);
});
afterAll(async () => h?.close());

async function shot(page: Page, name: string, fullPage = false) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${IMAGES}${name}.png`, fullPage });
}

const RECIPE = {
  name: 'New signup to CRM',
  trigger: { connector: 'signups', trigger: 'new_signup', input: {} },
  steps: [
    {
      id: 'contact',
      connector: 'crm',
      connection: 'crm-main',
      action: 'create_contact',
      input: { object_type: 'person', email: '=trigger.email', name: 'Hello {{trigger.name}}', country: 'FR' },
    },
    {
      id: 'big_company',
      if: '=trigger.company.size > 100',
      then: [{ id: 'flag', stop: { error: false, message: 'Large company {{trigger.company.name}}' } }],
      else: [],
    },
  ],
};

/** Jobs from webhooks; when no job engine runs them (yet), they are finished in the store. */
async function makeJobs(recipeId: string, webhookUrl: string): Promise<void> {
  const events = [
    { email: 'ada@example.com', name: 'Ada', plan: 'pro', company: { name: 'Analytical', size: 12 } },
    { email: 'grace@example.com', name: 'Grace', plan: 'team', company: { name: 'Cobol Inc', size: 250 } },
  ];
  for (const event of events) {
    await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
  }
  let listed: Array<{ id: string; status: string }> = [];
  for (let i = 0; i < 25; i++) {
    listed = (await h.call('GET', `/api/jobs?recipeId=${recipeId}`)).body.items ?? [];
    if (listed.length >= 2 && listed.every((j) => j.status === 'succeeded' || j.status === 'failed')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const store = h.server.store;
  const jobs = listed.length >= 2 ? [...listed].reverse() : (await store.createJobs({ recipeId, events })).jobs;
  const base = Date.now() - 60_000;
  const t = (s: number) => new Date(base + s * 1000).toISOString();
  const [ok, bad] = jobs;
  await store.saveJobStep({
    jobId: ok.id,
    seq: 0,
    stepId: 'contact',
    status: 'succeeded',
    input: { object_type: 'person', email: 'ada@example.com', name: 'Hello Ada', country: 'FR' },
    output: { id: 'c_1', object_type: 'person', email: 'ada@example.com', name: 'Hello Ada', country: 'FR' },
    error: null,
    state: null,
    attempts: 1,
    startedAt: t(1),
    finishedAt: t(2),
  });
  await store.updateJob(ok.id, { status: 'succeeded', startedAt: t(1), finishedAt: t(2) });
  const error = {
    code: 'HTTP_ERROR',
    message: 'POST http://127.0.0.1/contacts failed with HTTP 422: email is taken',
    stepId: 'contact',
  };
  await store.saveJobStep({
    jobId: bad.id,
    seq: 0,
    stepId: 'contact',
    status: 'failed',
    input: { object_type: 'person', email: 'grace@example.com', name: 'Hello Grace', country: 'FR' },
    output: null,
    error,
    state: null,
    attempts: 1,
    startedAt: t(3),
    finishedAt: t(4),
  });
  await store.updateJob(bad.id, { status: 'failed', error, startedAt: t(3), finishedAt: t(4) });
}

test('screenshots of the main pages', async () => {
  const created = await h.call('POST', '/api/recipes', RECIPE);
  expect(created.status).toBe(201);
  const recipe = created.body;
  await h.call('POST', `/api/recipes/${recipe.id}/start`);
  await makeJobs(recipe.id, recipe.webhookUrl);

  const c = await openConsole(h, { signedIn: false, viewport: { width: 1280, height: 760 } });
  const { page } = c;
  await page.getByLabel('Admin token').waitFor();
  await shot(page, 'console-login');
  await page.evaluate((token) => localStorage.setItem('weft.adminToken', token), h.token);

  await page.goto(`${h.server.url}/#/connectors`);
  await page.reload();
  await page.getByRole('link', { name: 'Fixture CRM' }).waitFor();
  await shot(page, 'console-connectors');

  await page.goto(`${h.server.url}/#/connectors/crm`);
  await page.getByText('Create contact').first().click();
  await page.getByRole('table', { name: 'Config fields' }).waitFor();
  await shot(page, 'console-connector', true);

  await page.goto(`${h.server.url}/#/connections/new?connector=crm`);
  await page.getByLabel('API address').waitFor();
  await page.getByLabel('Connection name').fill('crm-eu');
  await page.getByLabel('API address').fill('https://crm.example.com/api/');
  await page.getByLabel('Sandbox account').check();
  await page.getByRole('button', { name: 'Create connection' }).click();
  await page.locator('.field-error').first().waitFor();
  await shot(page, 'console-connection-form', true);

  await page.goto(`${h.server.url}/#/recipes/${recipe.id}`);
  await page.locator('#f-steps_0_-input-email').waitFor();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Insert a datapill into Name' }).click();
  await page.getByRole('dialog', { name: 'Datapills for Name' }).waitFor();
  // In a full-page capture the sticky save bar would float mid-page.
  await page.evaluate(() => {
    for (const el of document.querySelectorAll<HTMLElement>('.sticky-actions')) el.style.position = 'static';
  });
  await shot(page, 'console-recipe-builder', true);
  await page.keyboard.press('Escape');

  await page.goto(`${h.server.url}/#/jobs`);
  await page.locator('tbody tr').nth(1).waitFor();
  await shot(page, 'console-jobs');

  await page.locator('tbody a[href^="#/jobs/"]').last().click();
  await page.getByRole('heading', { name: 'Steps' }).waitFor();
  await shot(page, 'console-job-detail', true);

  await page.goto(`${h.server.url}/#/sdk?connector=crm&action=create_contact`);
  await page.locator('#f-connection').selectOption('crm-main');
  await page.locator('#f-input-object_type').selectOption({ label: 'Person' });
  await page.locator('#f-input-email').fill('lin@example.com');
  await page.locator('#f-input-country option', { hasText: 'France' }).waitFor({ state: 'attached' });
  await page.locator('#f-input-country').selectOption({ label: 'France' });
  await page.locator('#f-input-city option', { hasText: 'Paris' }).waitFor({ state: 'attached' });
  await page.locator('#f-input-city').selectOption({ label: 'Paris' });
  await page.getByRole('button', { name: 'Run action' }).click();
  await page.getByText('HTTP exchanges').waitFor();
  await page.locator('.exchange', { hasText: 'POST' }).locator('summary').click();
  await shot(page, 'console-sdk', true);

  // Every control type, in the generated form of the `all_controls` action.
  await page.goto(`${h.server.url}/#/connectors`);
  await page.goto(`${h.server.url}/#/sdk?connector=crm&action=all_controls`);
  await page.locator('#f-input-title').fill('Quarterly review');
  await page.locator('#f-input-count').fill('3');
  await page.locator('#f-input-vip').check();
  await page.locator('#f-input-priority').selectOption({ label: 'High' });
  await page.locator('#f-input-country option', { hasText: 'Germany' }).waitFor({ state: 'attached' });
  await page.locator('#f-input-country').selectOption({ label: 'Germany' });
  await page.locator('#f-input-kind').selectOption({ label: 'Company' });
  for (const label of ['Tags', 'Folder', 'Headers', 'Columns', 'Due', 'Remind at', 'Address', 'Lines']) {
    await page.getByLabel('Add optional field').selectOption({ label });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
  }
  await page.getByLabel('Green').check();
  await page.getByRole('button', { name: 'Expand Sales' }).click();
  await page.getByLabel('Europe').check();
  await page.getByRole('button', { name: 'Add pair' }).click();
  await page.getByLabel('Headers: key 1').fill('X-Team');
  await page.getByLabel('Headers: value 1').fill('ops');
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.getByLabel('Field 1 name').fill('amount');
  await page.getByLabel('Field 1 type').selectOption('number');
  await page.getByRole('button', { name: 'Add line' }).click();
  await page.getByRole('button', { name: 'Owner: Enter an ID' }).click();
  await page.locator('#f-input-owner_id').fill('u42');
  await shot(page, 'console-controls', true);
  expect(c.errors).toEqual([]);
  await c.close();
});

test('screenshot of the agents page', async () => {
  for (const [name, group] of [
    ['plant-1', 'plant'],
    ['plant-2', 'plant'],
    ['office-1', 'office'],
  ]) {
    await h.call('POST', '/api/agents', { name, group });
  }
  // What sessions would have reported (no agent process runs here).
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  await h.server.store.recordAgentSeen('plant-1', {
    lastSeen: ago(0),
    version: '0.1.0',
    connectedAt: ago(3_600_000),
    served: 1284,
  });
  await h.server.store.recordAgentSeen('plant-2', {
    lastSeen: ago(2 * 3_600_000),
    version: '0.1.0',
    connectedAt: null,
    served: 377,
    lastError: 'agent "plant-2" could not reach erp.corp.internal:443: connect ECONNREFUSED',
  });
  const c = await openConsole(h, { path: '#/agents' });
  const { page } = c;
  await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
  const form = page.getByRole('form', { name: 'Register an agent' });
  await form.getByLabel('Name', { exact: true }).fill('office-2');
  await form.getByLabel('Group', { exact: true }).fill('office');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByTestId('agent-key').waitFor();
  await page.locator('tr[data-agent="office-2"]').waitFor();
  await shot(page, 'console-agents', true);
  expect(c.errors).toEqual([]);
  await c.close();
});
