/**
 * Test harness of the job engine: the real server (`startServer`) on a temporary home with the
 * fixture connectors, a connection `lab-main` to a local API (`LabApi`, what the `lab`
 * connector calls), and helpers to create recipes through the REST API, make jobs, and wait for
 * them through the store.
 */
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { RuntimeOptions } from '../runtime/options.js';
import { type RunningServer, startServer } from '../serve.js';
import type { JobRecord, JobStatus, JobWithSteps } from '../store/store.js';
import { apiCaller } from './api-call.js';

export const RECIPE_CONNECTORS = fileURLToPath(new URL('./recipe-connectors', import.meta.url));

export interface Recorded {
  key: string;
  value?: unknown;
  /** Order of arrival at the API. */
  n: number;
}

/** The API the `lab` connector talks to. Tests read and steer its state. */
export class LabApi {
  url = '';
  readonly records: Recorded[] = [];
  /** Requests to /record in progress, and the most at once (overall and per key prefix). */
  active = 0;
  maxActive = 0;
  readonly flakyCalls = new Map<string, number>();
  readonly approvals: { key: string; url: string }[] = [];
  /** Statuses of the resume calls made at once for approval keys starting with `instant`. */
  readonly instantResumes: number[] = [];
  /** Items the polling trigger finds, by ascending id. */
  items: { id: number; [key: string]: unknown }[] = [];
  /** The next polls that fail with HTTP 500. */
  pollFailures = 0;
  /** `after` of each poll. */
  readonly polls: number[] = [];
  /** Answer every poll from the start (events already seen come back). */
  ignoreCursor = false;
  /** Say there is more after every poll. */
  alwaysMore = false;
  private server: Server | undefined;
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Resolves when `test` holds (checked after each request). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      if (w.test()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : {};
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
      this.changed();
    };
    switch (url.pathname) {
      case '/record': {
        this.active++;
        this.maxActive = Math.max(this.maxActive, this.active);
        this.changed();
        if (body.delay_ms) await new Promise((resolve) => setTimeout(resolve, body.delay_ms));
        this.active--;
        const entry: Recorded = { key: body.key, value: body.value, n: this.records.length + 1 };
        this.records.push(entry);
        return send(200, entry);
      }
      case '/flaky': {
        const calls = (this.flakyCalls.get(body.key) ?? 0) + 1;
        this.flakyCalls.set(body.key, calls);
        if (calls <= body.failures) return send(body.status ?? 503, { error: 'try again later' });
        return send(200, { ok: true, calls });
      }
      case '/approvals':
        this.approvals.push({ key: body.key, url: body.url });
        if (String(body.key).startsWith('instant')) {
          // The other side answers before the action has even suspended.
          void fetch(body.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ decision: 'instant' }),
          }).then((r) => {
            this.instantResumes.push(r.status);
            this.changed();
          });
        }
        return send(200, { ok: true });
      case '/items': {
        const after = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 2);
        this.polls.push(after);
        if (this.pollFailures > 0) {
          this.pollFailures--;
          return send(500, { error: 'the item service is down' });
        }
        const newer = this.items.filter((i) => this.ignoreCursor || i.id > after);
        const page = newer.slice(0, limit);
        const more = this.alwaysMore || newer.length > limit;
        return send(200, { items: page, next: page.at(-1)?.id ?? after, more });
      }
      default:
        return send(404, { error: 'no such route' });
    }
  }
}

export interface Lab {
  server: RunningServer;
  api: LabApi;
  home: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates (and by default starts) a recipe on the `lab` connector; returns its id. */
  recipe(body: Record<string, unknown>, options?: { start?: boolean }): Promise<string>;
  /** Commits one job per event and hands them to the runtime, as the ingress does. */
  jobs(recipeId: string, events: unknown[]): Promise<JobRecord[]>;
  /** Waits until the job reaches one of `statuses`; returns it with its steps. */
  job(id: string, statuses?: JobStatus[]): Promise<JobWithSteps>;
  /** Commits one job for `event` and waits until it has finished; returns it with its steps. */
  run(recipeId: string, event: unknown): Promise<JobWithSteps>;
  /** The recipe's jobs, oldest first. */
  list(recipeId: string): Promise<JobRecord[]>;
  close(): Promise<void>;
}

const FINISHED: JobStatus[] = ['succeeded', 'failed', 'stopped'];

/** Polls `read` until it gives a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const labStep = (id: string, action: string, input: Record<string, unknown>) => ({
  id,
  connector: 'lab',
  connection: 'lab-main',
  action,
  input,
});

export async function startLab(
  options: { runtime?: Partial<RuntimeOptions>; home?: string; api?: LabApi } = {},
): Promise<Lab> {
  const api = options.api ?? new LabApi();
  if (!api.url) await api.start();
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'weft-jobs-')));
  const server = await startServer({
    port: 0,
    home,
    connectorDirs: [RECIPE_CONNECTORS],
    env: {},
    onWarning: () => {},
    runtime: { reinvokeMinSeconds: 0, jobRetryBaseMs: 10, ...options.runtime },
  });
  const call = apiCaller(() => server);
  if (!options.home) {
    const created = await call('POST', '/api/connections', {
      name: 'lab-main',
      connector: 'lab',
      values: { base_url: api.url },
    });
    if (created.status !== 201) throw new Error(`connection: ${JSON.stringify(created.body)}`);
  }
  const lab: Lab = {
    server,
    api,
    home,
    call,
    async recipe(body, { start = true } = {}) {
      const created = await call('POST', '/api/recipes', {
        name: 'lab recipe',
        trigger: { connector: 'lab', connection: 'lab-main', trigger: 'manual', input: {} },
        ...body,
      });
      if (created.status !== 201) throw new Error(`recipe: ${JSON.stringify(created.body)}`);
      if (start) {
        const started = await call('POST', `/api/recipes/${created.body.id}/start`);
        if (started.status !== 200) throw new Error(`start: ${JSON.stringify(started.body)}`);
      }
      return created.body.id;
    },
    async jobs(recipeId, events) {
      const { jobs } = await server.store.createJobs({ recipeId, events });
      server.context.runtime.jobsCommitted(jobs);
      return jobs;
    },
    job(id, statuses = FINISHED) {
      return eventually(
        async () => {
          const job = await server.store.getJob(id);
          return job && statuses.includes(job.status) ? job : undefined;
        },
        `job ${id} to be ${statuses.join(' or ')}`,
      );
    },
    async run(recipeId, event) {
      const [created] = await lab.jobs(recipeId, [event]);
      return lab.job(created.id);
    },
    async list(recipeId) {
      const page = await server.store.listJobs({ recipeId, limit: 1000 });
      return page.items.reverse();
    },
    async close() {
      await server.close();
      if (!options.api) await api.close();
    },
  };
  return lab;
}

/**
 * One lab for a whole test file: started before its tests, closed after them, and its highest
 * count of concurrent calls (`api.maxActive`) cleared before each test. The answer stands for
 * that lab (it can be used from the first test on).
 */
export function labForFile(): Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.close();
  });
  beforeEach(() => {
    if (lab) lab.api.maxActive = 0;
  });
  const started = (): Lab => {
    if (!lab) throw new Error('The lab starts in beforeAll: use it inside a test or hook');
    return lab;
  };
  return new Proxy({} as Lab, { get: (_target, key) => Reflect.get(started(), key) });
}

/** Keys unique within a test file: `name-1`, `name-2`, ... */
export function keyCounter(): (name: string) => string {
  let n = 0;
  return (name) => `${name}-${++n}`;
}
