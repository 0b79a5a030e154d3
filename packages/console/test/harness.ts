/**
 * What the browser tests share: the built console, the real platform in-process (with the
 * fixture connectors and a fake CRM API), and Chromium (see chromium.ts) driven by playwright-core.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type RunningServer, startServer } from '../../platform/src/serve.js';
import { chromiumPath } from './chromium.js';
import { type FakeApi, startFakeApi } from './fake-api.js';

export const CONSOLE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const DIST_INDEX = join(CONSOLE_ROOT, 'dist', 'index.html');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the console when it is missing or older than its sources (the tests serve the real build). */
export async function ensureConsoleBuilt(): Promise<void> {
  const sources = Math.max(
    newestSource(join(CONSOLE_ROOT, 'src')),
    statSync(join(CONSOLE_ROOT, 'index.html')).mtimeMs,
    statSync(join(CONSOLE_ROOT, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ root: CONSOLE_ROOT, configFile: join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** `fetch` against the Weft API at `url` with a bearer token; a JSON answer is parsed, any other kept as text. */
export async function callApi<T = any>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text || undefined;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface Harness {
  server: RunningServer;
  api: FakeApi;
  browser: Browser;
  token: string;
  /** `fetch` against the Weft API with the admin token. */
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * `connectorDirs` come after FIXTURES; `env` is the server's environment; `builtins`: load the
 * built-in connectors too (the suite leaves them out: WEFT_BUILTINS=off).
 */
export async function startHarness(
  options: { connectorDirs?: string[]; env?: Record<string, string>; builtins?: boolean } = {},
): Promise<Harness> {
  await chromiumPath();
  await ensureConsoleBuilt();
  const home = await mkdtemp(join(tmpdir(), 'weft-console-'));
  const api = await startFakeApi();
  const server = await startServer({
    port: 0,
    home,
    connectorDirs: [FIXTURES, ...(options.connectorDirs ?? [])],
    env: options.env ?? {},
    onWarning: () => {},
    ...(options.builtins ? { builtins: true } : {}),
  });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.close();
    await api.close();
    throw error;
  }
  const token = server.token.token;
  return {
    server,
    api,
    browser,
    token,
    call: (method, path, body) => callApi(server.url, token, method, path, body),
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await api.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Errors the page logged (uncaught exceptions and `console.error`), network failures aside. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser context on the console; signed in unless `signedIn: false`. */
export async function openConsole(
  h: Harness,
  options: { signedIn?: boolean; path?: string; viewport?: { width: number; height: number } } = {},
): Promise<ConsolePage> {
  const context = await h.browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  if (options.signedIn !== false) {
    await context.addInitScript((token) => {
      if (!window.localStorage.getItem('weft.adminToken')) window.localStorage.setItem('weft.adminToken', token);
    }, h.token);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every 4xx/5xx response as "Failed to load resource"; those are API answers
    // the console shows, not faults of the page.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console.error: ${message.text()}`);
    }
  });
  await page.goto(`${h.server.url}/${options.path ?? ''}`);
  return { page, context, errors, close: () => context.close() };
}

/** Creates the connection the recipe tests use, through the API. */
export async function createCrmConnection(h: Harness, name = 'crm-main'): Promise<void> {
  const res = await h.call('POST', '/api/connections', {
    name,
    connector: 'crm',
    values: { base_url: h.api.url, api_key: 'crm-secret-key-123' },
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`connection: ${JSON.stringify(res.body)}`);
}
