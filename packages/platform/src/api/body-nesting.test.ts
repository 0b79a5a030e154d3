/**
 * Bodies nested deeper than MAX_NESTING levels are a 400 BODY_TOO_DEEP before anything walks
 * them (webhooks, resume calls, the API); nothing is created. And the API answers 415 to any
 * body that is not JSON, as the API reference says.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller, type ErrorBody } from '../__fixtures__/api-call.js';
import { type RunningServer, startServer } from '../serve.js';
import { MAX_NESTING } from './nesting.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
let server: RunningServer;
const call = apiCaller(() => server);
let recipeId: string;

const objects = (levels: number, id: string) => `{"id":"${id}","a":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels)}`;
const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-nesting-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {}, log: () => {} });
  await call('POST', '/api/connections', { name: 'hooks-n', connector: 'hooks', values: { account: 'acct-n' } });
  const recipe = await call('POST', '/api/recipes', {
    name: 'Nesting',
    trigger: { connector: 'hooks', connection: 'hooks-n', trigger: 'account_event' },
    steps: [],
  });
  recipeId = recipe.body.id;
  expect((await call('POST', `/api/recipes/${recipeId}/start`)).status).toBe(200);
});
afterAll(async () => {
  await server.close();
});

async function hook(body: string, contentType?: string) {
  const res = await fetch(`${server.url}/webhooks/static/hooks`, {
    method: 'POST',
    headers: { 'x-hooks-account': 'acct-n', ...(contentType ? { 'content-type': contentType } : {}) },
    // Bytes, so that fetch adds no content type of its own.
    body: Buffer.from(body),
  });
  const parsed: unknown = await res.json().catch(() => undefined);
  return { status: res.status, body: parsed as ErrorBody | undefined };
}

/** An API call with the body sent as given. */
async function rawCall(method: string, path: string, body: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token.token}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function jobCount(): Promise<number> {
  return (await server.store.listJobs({ limit: 1000, recipeId })).items.length;
}

describe('deeply nested bodies', () => {
  test(`the limit is ${MAX_NESTING} levels`, () => {
    expect(MAX_NESTING).toBe(128);
  });

  test('a webhook body nested 2,000+ levels is a 400 BODY_TOO_DEEP, and creates no job', async () => {
    for (const [body, type] of [
      [objects(2000, 'deep-1'), 'application/json'],
      [objects(100_000, 'deep-2'), 'application/json'],
      [objects(MAX_NESTING + 1, 'deep-3'), 'application/json'],
      [objects(2000, 'deep-4'), 'application/vnd.api+json'],
      [objects(2000, 'deep-5'), undefined],
    ] as const) {
      const res = await hook(body, type);
      expect(res.status, `${type} ${body.length}`).toBe(400);
      expect(res.body?.error).toEqual({
        code: 'BODY_TOO_DEEP',
        message: expect.stringContaining(`at most ${MAX_NESTING} levels`),
      });
    }
    expect(await jobCount()).toBe(0);
  });

  test('up to the limit is fine, and brackets inside strings do not count', async () => {
    expect((await hook(objects(MAX_NESTING, 'ok-1'), 'application/json')).status).toBe(200);
    const text = JSON.stringify({ id: 'ok-2', note: `${'['.repeat(5000)}"\\{{{` });
    expect((await hook(text, 'application/json')).status).toBe(200);
    expect(await jobCount()).toBe(2);
  });

  test('a resume call with a body nested too deep is a 400 before anything else', async () => {
    const res = await fetch(`${server.url}/webhooks/resume/job_x/${'a'.repeat(32)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: arrays(5000),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('BODY_TOO_DEEP');
  });

  test('an API body nested too deep is a 400 BODY_TOO_DEEP, and nothing is stored', async () => {
    const recipe = await rawCall('POST', '/api/recipes', `{"name":"x","trigger":${arrays(2000)},"steps":[]}`);
    expect(recipe.status).toBe(400);
    expect(recipe.body.error).toEqual({
      code: 'BODY_TOO_DEEP',
      message: expect.stringContaining(`at most ${MAX_NESTING} levels`),
    });
    const connection = await rawCall(
      'POST',
      '/api/connections',
      `{"name":"deep","connector":"hooks","values":{"account":${arrays(100_000)}}}`,
    );
    expect(connection.status).toBe(400);
    expect(connection.body.error.code).toBe('BODY_TOO_DEEP');
    expect((await call('GET', '/api/connections/deep')).status).toBe(404);
  });
});

describe('API bodies that are not JSON', () => {
  test('text/plain, XML and forms are a 415 UNSUPPORTED_MEDIA_TYPE naming the type', async () => {
    for (const type of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/xml',
      'application/x-www-form-urlencoded',
    ]) {
      const res = await fetch(`${server.url}/api/recipes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token.token}`, 'content-type': type },
        body: 'name=x',
      });
      expect(res.status, type).toBe(415);
      const error = ((await res.json()) as any).error;
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toContain(type.split(';')[0]);
      expect(error.message).toMatch(/application\/json/);
    }
  });
});
