/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the real
 * platform, with fixture connectors and a fake CRM API.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_KEY } from './fake-api.js';
import { createCrmConnection, type Harness, openConsole, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await createCrmConnection(h);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** Waits until a text is visible on the page. */
async function see(page: Page, text: string | RegExp, timeout = 10_000) {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout });
}

const byPath = (path: string) => `#f-${path.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '.' ? '-' : '_'))}`;

/** Fills the recipe builder: signups → crm.create_contact with the given email value. */
async function buildRecipe(page: Page, name: string) {
  await page.getByLabel('Recipe name').fill(name);
  await page.locator(byPath('trigger.connector')).selectOption({ label: 'Signups' });
  await page.locator(byPath('trigger.trigger')).selectOption({ label: 'New signup' });
  await page.getByRole('button', { name: 'Add an action to steps' }).click();
  await page.locator(byPath('steps[0].connector')).selectOption({ label: 'Fixture CRM' });
  await page.locator(byPath('steps[0].action')).selectOption({ label: 'Create contact' });
  await page.locator(byPath('steps[0].connection')).selectOption('crm-main');
  await page.locator(byPath('steps[0].input.object_type')).selectOption({ label: 'Person' });
  await page.locator(byPath('steps[0].input.email')).waitFor();
}

describe('the web console', () => {
  test('asks for the admin token and says so when it is refused', async () => {
    const c = await openConsole(h, { signedIn: false });
    const { page } = c;
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page, /refused this token \(401\)/);
    await page.getByLabel('Admin token').fill(h.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Connectors', level: 1 }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('weft.adminToken'))).toBe(h.token);
    // A token that stops working brings the sign-in back with a message.
    await page.evaluate(() => localStorage.setItem('weft.adminToken', 'stale-token'));
    await page.getByRole('link', { name: 'Recipes' }).click();
    await see(page, 'Your session token was refused (401)');
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('lists connectors and shows one with its actions, triggers, fields and code', async () => {
    const c = await openConsole(h, { path: '#/connectors' });
    const { page } = c;
    await page.getByRole('link', { name: 'Signups' }).waitFor();
    await page.getByRole('link', { name: 'Fixture CRM' }).click();
    await page.getByRole('heading', { name: 'Fixture CRM', level: 1 }).waitFor();
    await see(page, 'Create contact');
    await page.getByText('Every control', { exact: true }).click();
    await page.getByRole('table', { name: 'Input fields' }).last().waitFor();
    await see(page, 'pick list cities');
    await page.getByRole('tab', { name: 'Code' }).click();
    const code = page.getByLabel('Code of the connector crm');
    const notServed = page.getByText('The code is not available');
    await Promise.race([code.waitFor(), notServed.waitFor()]);
    if (await code.isVisible()) expect(await code.textContent()).toContain('defineConnector');
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('creates a connection through the generated form, flagging required fields at the field', async () => {
    const c = await openConsole(h, { path: '#/connections/new?connector=crm' });
    const { page } = c;
    await page.getByLabel('API address').waitFor();
    // Required values missing: each is flagged at its field.
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.locator('#conn-name-error').getByText('is required').waitFor();
    expect(await page.getByLabel('Connection name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-field="values.base_url"] .field-error').textContent()).toContain('is required');
    expect(await page.getByLabel('API key').getAttribute('type')).toBe('password');
    // ngIf: the sandbox name shows only for sandbox accounts.
    expect(await page.getByLabel('Sandbox name').count()).toBe(0);
    await page.getByLabel('Sandbox account').check();
    await page.getByLabel('Sandbox name').fill('qa');
    // An optional field hides behind "Add optional field".
    await page.getByLabel('Add optional field').selectOption({ label: 'Region' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    // Left blank, the field's default applies, and the blank choice says which it is.
    const region = page.locator(byPath('values.region'));
    expect(await region.locator('option:checked').textContent()).toBe('Default: Europe');
    await region.selectOption({ label: 'United States' });

    await page.getByLabel('Connection name').fill('crm-ui');
    await page.getByLabel('API address').fill(h.api.url);
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { name: 'Connection crm-ui' }).waitFor();
    await see(page, 'Connection "crm-ui" created');
    // Secrets are stored, never shown.
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    expect(await page.getByLabel('API key').getAttribute('placeholder')).toContain('Stored');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await see(page, 'The connection works');

    const stored = await h.call('GET', '/api/connections/crm-ui');
    expect(stored.body.values).toMatchObject({
      base_url: h.api.url,
      api_key: '[REDACTED]',
      region: 'us',
      sandbox: true,
      sandbox_name: 'qa',
    });
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('connects an OAuth 2.0 connection in a pop-up and reports the result', async () => {
    const created = await h.call('POST', '/api/connections', {
      name: 'notes-main',
      connector: 'notes',
      values: { base_url: h.api.url, client_id: 'weft-client', client_secret: 'client-secret-xyz' },
    });
    expect(created.status).toBe(201);
    const c = await openConsole(h, { path: '#/connections/notes-main' });
    const { page } = c;
    await page.getByRole('heading', { name: 'Connection notes-main' }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await see(page, 'Connection failed');
    const popup = c.context.waitForEvent('page');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await (await popup).waitForLoadState();
    await page.getByText('Connected', { exact: true }).waitFor();
    const stored = await h.call('GET', '/api/connections/notes-main');
    expect(stored.body.values.access_token).toBe('[REDACTED]');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await see(page, 'The connection works');
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('resolves dynamic fields, updates a dependent pick list when its parent changes, and runs an action', async () => {
    const c = await openConsole(h, { path: '#/sdk' });
    const { page } = c;
    await page.locator(byPath('connector')).selectOption({ label: 'Fixture CRM' });
    await page.locator(byPath('action')).selectOption({ label: 'Create contact' });
    await page.locator(byPath('connection')).selectOption('crm-main');
    await page.locator(byPath('input.object_type')).selectOption({ label: 'Person' });
    // Dynamic input fields, from the fake API.
    const city = page.locator(byPath('input.city'));
    await city.waitFor();
    expect(await city.isDisabled()).toBe(true);
    await see(page, 'Choose "Country" first');

    const country = page.locator(byPath('input.country'));
    await country.locator('option', { hasText: 'France' }).waitFor({ state: 'attached' });
    await country.selectOption({ label: 'France' });
    await city.locator('option', { hasText: 'Lyon' }).waitFor({ state: 'attached' });
    expect(await city.locator('option').allTextContents()).toEqual(['— Choose —', 'Paris', 'Lyon']);
    await country.selectOption({ label: 'Germany' });
    await city.locator('option', { hasText: 'Munich' }).waitFor({ state: 'attached' });
    expect(await city.locator('option').allTextContents()).toEqual(['— Choose —', 'Berlin', 'Munich']);
    expect(h.api.requests.some((r) => r.path === '/cities?country=DE')).toBe(true);
    await city.selectOption({ label: 'Berlin' });

    await page.locator(byPath('input.email')).fill('grace@example.com');
    await page.getByRole('button', { name: 'Run action' }).click();
    const output = page.getByLabel('Output', { exact: true });
    await output.waitFor();
    expect(JSON.parse((await output.textContent()) ?? '')).toMatchObject({
      email: 'grace@example.com',
      country: 'DE',
      city: 'BER',
    });
    // The run resolves the dynamic input fields, then posts the contact.
    await see(page, 'HTTP exchanges (2)');
    const post = page.locator('.exchange', { hasText: 'POST' });
    await post.locator('summary').click();
    const request = await post.getByLabel('Request headers and body').textContent();
    expect(request).toContain('grace@example.com');
    expect(request).toContain('[REDACTED]');
    expect(request).not.toContain(API_KEY);
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test("shows the API's validation errors at the field", async () => {
    const c = await openConsole(h, { path: '#/recipes/new' });
    const { page } = c;
    await buildRecipe(page, 'Invalid recipe');
    // The datapill picker works from the keyboard: open, filter, choose; the focus comes back.
    await page.getByRole('button', { name: 'Insert a datapill into Email' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('plan');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.locator(byPath('steps[0].input.email')).inputValue()).toBe('=trigger.plan');
    await page.waitForFunction(() => document.activeElement?.id === 'f-steps_0_-input-email');
    await page.getByRole('button', { name: 'Insert a datapill into Email' }).click();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.locator(byPath('steps[0].input.email')).fill('=trigger.mail');
    await page.getByRole('button', { name: 'Create recipe' }).click();
    await see(page, 'The recipe was not saved: fix these problems');
    const fieldError = page.locator('[data-field="steps[0].input.email"] .field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('datapill "trigger.mail" is not declared');
    expect(await page.locator(byPath('steps[0].input.email')).getAttribute('aria-invalid')).toBe('true');
    // The summary links to the field.
    await page.getByRole('button', { name: 'steps[0].input.email' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-steps_0_-input-email');
    expect(c.errors).toEqual([]);
    await c.close();
  });

  test('builds a recipe with a mapped datapill; a webhook starts a job that shows the mapped value', async () => {
    const c = await openConsole(h, { path: '#/recipes/new' });
    const { page } = c;
    await buildRecipe(page, 'Signup to CRM');
    // Map trigger.email into Email with the datapill picker.
    await page.getByRole('button', { name: 'Insert a datapill into Email' }).click();
    const picker = page.getByRole('dialog', { name: 'Datapills for Email' });
    await picker.getByRole('button', { name: /trigger\.email/ }).click();
    expect(await page.locator(byPath('steps[0].input.email')).inputValue()).toBe('=trigger.email');
    // Into text, a pill becomes a {{ }} template at the caret.
    await page.locator(byPath('steps[0].input.name')).fill('Hello ');
    await page.getByRole('button', { name: 'Insert a datapill into Name' }).click();
    await page
      .getByRole('dialog', { name: 'Datapills for Name' })
      .getByRole('button', { name: /trigger\.name/ })
      .click();
    expect(await page.locator(byPath('steps[0].input.name')).inputValue()).toBe('Hello {{trigger.name}}');

    await page.getByRole('button', { name: 'Create recipe' }).click();
    await see(page, 'Recipe "Signup to CRM" saved');
    const recipeId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
    const saved = await h.call('GET', `/api/recipes/${recipeId}`);
    expect(saved.body.steps[0].input).toEqual({
      object_type: 'person',
      email: '=trigger.email',
      name: 'Hello {{trigger.name}}',
    });
    const webhookUrl = await page.getByTestId('webhook-url').textContent();
    expect(webhookUrl).toBe(saved.body.webhookUrl);

    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await see(page, 'Recipe started');
    expect((await h.call('GET', `/api/recipes/${recipeId}`)).body.status).toBe('running');

    const hook = await fetch(webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada', plan: 'pro' }),
    });
    expect(hook.status, 'the webhook ingress accepts the event').toBeLessThan(300);
    // The job engine runs the job; the console shows it as it goes.
    let job: { status: string; error?: unknown } | undefined;
    for (let i = 0; i < 100 && !['succeeded', 'failed', 'stopped'].includes(job?.status ?? ''); i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      job = (await h.call('GET', `/api/jobs?recipeId=${encodeURIComponent(recipeId)}`)).body.items?.[0];
    }
    expect(job, 'the webhook created a job').toBeDefined();
    expect(job!.status, `the job engine ran the job (error: ${JSON.stringify(job!.error)})`).toBe('succeeded');

    await page.getByRole('link', { name: 'Jobs' }).first().click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.locator('tbody .badge-succeeded').first().waitFor({ timeout: 20_000 });
    await page.locator('tbody a[href^="#/jobs/"]').first().click();
    await page.getByRole('heading', { name: 'Steps' }).waitFor();
    const input = await page.getByLabel('Input of step step_1').textContent();
    expect(JSON.parse(input ?? '')).toMatchObject({ email: 'ada@example.com', name: 'Hello Ada' });
    const out = await page.getByLabel('Output of step step_1').textContent();
    expect(JSON.parse(out ?? '')).toMatchObject({ email: 'ada@example.com' });
    const logs = page.getByRole('list', { name: 'Logs of step step_1' });
    expect(await logs.textContent()).toContain('creating contact ada@example.com');
    expect(await page.getByLabel('Trigger event data').textContent()).toContain('ada@example.com');

    // Filters: no failed job.
    await page.goto(`${h.server.url}/#/jobs?recipeId=${encodeURIComponent(recipeId)}`);
    await page.locator('.segment', { hasText: 'Failed' }).click();
    await see(page, 'No job matches these filters.');

    // Re-run: a new job from the same event.
    await page.locator('.segment', { hasText: 'All' }).click();
    await page.locator('tbody a[href^="#/jobs/"]').first().click();
    const firstJob = new URL(page.url()).hash;
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForFunction((before) => window.location.hash !== before, firstJob);
    await page.locator('.page-header .badge-succeeded').waitFor({ timeout: 20_000 });

    await page.getByRole('link', { name: 'Recipes' }).click();
    await page.getByRole('button', { name: 'Stop Signup to CRM' }).click();
    await page.getByRole('button', { name: 'Start Signup to CRM' }).waitFor();
    expect(c.errors).toEqual([]);
    await c.close();
  });
});
