/**
 * Secrets through the real server: a password with quotes, backslashes and non-ASCII characters
 * shows in no form in a job's error (API and `weft.db` bytes) or in `/run` exchanges, and a
 * step's output is stored exactly as the action returned it.
 */
import { once } from 'node:events';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asciiJson, expectNoPassword, PASSWORD, xml } from '../../../sdk/src/testing/__fixtures__/password.js';
import { apiCaller } from '../__fixtures__/api-call.js';
import { eventually, RECIPE_CONNECTORS } from '../__fixtures__/jobs-harness.js';
import { type RunningServer, startServer } from '../serve.js';
import type { JobWithSteps } from '../store/store.js';

const SECRETS = fileURLToPath(new URL('../__fixtures__/secret-connectors', import.meta.url));

let api: Server;
let server: RunningServer;
let home: string;
const call = apiCaller(() => server);

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/reject') {
        // Echo what was sent: ASCII-escaped JSON, XML-escaped, and the raw JSON body.
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(
          `{"error":"bad password ${asciiJson(PASSWORD).slice(1, -1)}","xml":"${xml(PASSWORD)}","sent":${body}}`,
        );
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ soapaction: req.headers.soapaction, key: req.headers['x-api-key'] }));
    });
  }).listen(0, '127.0.0.1');
  await once(api, 'listening');
  home = await mkdtemp(join(tmpdir(), 'weft-redaction-'));
  server = await startServer({
    port: 0,
    home,
    connectorDirs: [RECIPE_CONNECTORS, SECRETS],
    env: {},
    onWarning: () => {},
    runtime: { jobRetryBaseMs: 10 },
  });
  const created = await call('POST', '/api/connections', {
    name: 'vault-main',
    connector: 'vault',
    values: {
      base: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      password: PASSWORD,
      api_key: 'vault-key-8c1f',
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});
afterAll(async () => {
  await server.close();
  api.close();
});

async function runJob(action: string): Promise<JobWithSteps> {
  const created = await call('POST', '/api/recipes', {
    name: `vault ${action}`,
    trigger: { connector: 'chat', trigger: 'mention', input: {} },
    steps: [{ id: 'vault', connector: 'vault', connection: 'vault-main', action, input: {} }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await call('POST', `/api/recipes/${created.body.id}/start`)).status).toBe(200);
  const { jobs } = await server.store.createJobs({ recipeId: created.body.id, events: [{ text: 'hi' }] });
  server.context.runtime.jobsCommitted(jobs);
  return eventually(async () => {
    const job = await server.store.getJob(jobs[0].id);
    return job && ['succeeded', 'failed'].includes(job.status) ? job : undefined;
  }, 'the job to finish');
}

test("a job's error shows the password in no form, in the API or in weft.db", async () => {
  const job = await runJob('check_password');
  expect(job.status).toBe('failed');
  const shown = await fetch(`${server.url}/api/jobs/${job.id}`, {
    headers: { authorization: `Bearer ${server.token.token}` },
  }).then((r) => r.text());
  expect(shown).toContain('[REDACTED]');
  expectNoPassword(shown);

  for (const file of (await readdir(home)).filter((f) => f.startsWith('weft.db'))) {
    expectNoPassword((await readFile(join(home, file))).toString('utf8'));
  }
});

test('/run answers with exchanges that show the password in no form', async () => {
  const res = await fetch(`${server.url}/api/connectors/vault/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'vault-main', action: 'check_password' }),
  });
  const text = await res.text();
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(JSON.parse(text).exchanges).toHaveLength(1);
  expectNoPassword(text);
});

test("a step's output is stored as the action returned it; constants apply set are not secrets", async () => {
  const job = await runJob('summary');
  expect(job.status).toBe('succeeded');
  const shown = await call('GET', `/api/jobs/${job.id}`);
  expect(shown.body.steps[0].output).toEqual({ text: 'latest contest results as text, test', soapAction: 'test' });

  const run = await call('POST', '/api/connectors/vault/run', { connection: 'vault-main', action: 'summary' });
  expect(run.body.output).toEqual({ text: 'latest contest results as text, test', soapAction: 'test' });
  const headers = run.body.exchanges[0].requestHeaders;
  expect(headers).toMatchObject({ 'content-type': 'text/xml', soapaction: 'test', 'x-api-key': '[REDACTED]' });
  expectNoPassword(JSON.stringify(run.body));
  expect(JSON.stringify(run.body)).not.toContain('vault-key-8c1f');
});
