/**
 * A local stand-in for Todoist, for the connector's tests: the OAuth endpoints of todoist.com
 * and the endpoints of api.todoist.com/api/v1 the connector uses, with Todoist's shapes —
 * bearer tokens, `{ results, next_cursor }` pages, `{ items, next_cursor }` for completed
 * tasks, JSON error bodies — and webhook deliveries signed as Todoist signs them.
 *
 * Pages hold at most PAGE_SIZE records whatever `limit` asks, so a handful of records already
 * spans several pages.
 */
import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

export const CLIENT_ID = 'weft-test-app';
export const CLIENT_SECRET = 'todoist-client-secret-for-tests';
export const USER = {
  id: '2671355',
  email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  tz_info: { timezone: 'UTC' },
};
export const PAGE_SIZE = 2;

export interface FakeTask {
  id: string;
  content: string;
  description: string;
  project_id: string;
  section_id: string | null;
  parent_id: string | null;
  labels: string[];
  priority: number;
  checked: boolean;
  due: { date: string; string: string; is_recurring: boolean; timezone: string | null } | null;
  added_at: string;
  completed_at: string | null;
  updated_at: string;
  user_id: string;
}

export interface FakeTodoist extends TestServer {
  tasks: Map<string, FakeTask>;
  /** Access tokens the stand-in issued (a code exchange adds one). */
  tokens: Set<string>;
  /** Adds a task as if created in Todoist's own app. */
  addTask(fields: Partial<FakeTask> & { content: string }): FakeTask;
  /** Closes a task as if checked off in Todoist's own app, at `at` (default: now). */
  closeTask(id: string, at?: Date): void;
  /** Posts a webhook delivery (`item:added` etc.) to `url`, signed with `secret`. */
  deliver(url: string, event: string, data: unknown, secret?: string): Promise<number>;
}

export const PROJECTS = [
  { id: 'p-inbox', name: 'Inbox' },
  { id: 'p-home', name: 'Home' },
  { id: 'p-work', name: 'Work' },
];
export const SECTIONS = [
  { id: 's-groceries', project_id: 'p-home', name: 'Groceries' },
  { id: 's-repairs', project_id: 'p-home', name: 'Repairs' },
  { id: 's-meetings', project_id: 'p-work', name: 'Meetings' },
];
export const LABELS = [
  { id: 'l-1', name: 'errand' },
  { id: 'l-2', name: 'urgent' },
  { id: 'l-3', name: 'waiting' },
];

/** Todoist's error body. */
function fail(res: ServerResponse, status: number, error: string, tag: string, extra: object = {}): void {
  json(res, status, { error, error_code: status * 10, error_extra: extra, error_tag: tag, http_code: status });
}

/** One page of `records` from the opaque cursor on. */
function page<T>(records: T[], query: URLSearchParams): { results: T[]; next_cursor: string | null } {
  const start = Number(Buffer.from(query.get('cursor') ?? 'MA==', 'base64').toString('utf8')) || 0;
  const size = Math.min(Number(query.get('limit') ?? 50), PAGE_SIZE);
  const end = start + size;
  return {
    results: records.slice(start, end),
    next_cursor: end < records.length ? Buffer.from(String(end)).toString('base64') : null,
  };
}

function readBody(req: { headers: Record<string, unknown> }, body: string): Record<string, any> {
  if (!body) return {};
  if (String(req.headers['content-type']).includes('json')) return JSON.parse(body);
  return Object.fromEntries(new URLSearchParams(body));
}

export async function startFakeTodoist(): Promise<FakeTodoist> {
  const tasks = new Map<string, FakeTask>();
  const tokens = new Set<string>();
  const codes = new Set<string>();
  let serial = 0;

  function addTask(fields: Partial<FakeTask> & { content: string }): FakeTask {
    const now = new Date().toISOString();
    const task: FakeTask = {
      id: `t-${++serial}`,
      description: '',
      project_id: 'p-inbox',
      section_id: null,
      parent_id: null,
      labels: [],
      priority: 1,
      checked: false,
      due: null,
      added_at: now,
      completed_at: null,
      updated_at: now,
      user_id: USER.id,
      ...fields,
    };
    tasks.set(task.id, task);
    return task;
  }

  function closeTask(id: string, at = new Date()): void {
    const task = tasks.get(id);
    if (!task) throw new Error(`no task ${id}`);
    Object.assign(task, { checked: true, completed_at: at.toISOString(), updated_at: at.toISOString() });
  }

  function due(body: Record<string, any>): FakeTask['due'] {
    if (body.due_string) return { date: '2026-12-07', string: body.due_string, is_recurring: false, timezone: null };
    if (body.due_date) return { date: body.due_date, string: body.due_date, is_recurring: false, timezone: null };
    return null;
  }

  const server = await startServer((req, res, raw) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;
    const route = `${req.method} ${url.pathname}`;

    if (route === 'GET /oauth/authorize') {
      if (q.get('client_id') !== CLIENT_ID) return fail(res, 400, 'Invalid client_id', 'INVALID_CLIENT');
      const code = `code-${++serial}`;
      codes.add(code);
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (route === 'POST /oauth/access_token') {
      const form = readBody(req, raw);
      if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET) {
        return json(res, 400, { error: 'invalid_client' });
      }
      if (!codes.delete(form.code)) return json(res, 400, { error: 'invalid_grant' });
      const token = `tok-${++serial}-${CLIENT_ID}`;
      tokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer' });
    }
    if (!url.pathname.startsWith('/api/v1/')) return fail(res, 404, 'Not found', 'NOT_FOUND');

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return fail(res, 401, 'Invalid token', 'AUTH_INVALID_TOKEN');

    const path = url.pathname.slice('/api/v1'.length);
    const body = readBody(req, raw);
    const open = [...tasks.values()].filter((t) => !t.checked);
    const closing = /^\/tasks\/([^/]+)\/close$/.exec(path);
    const one = /^\/tasks\/([^/]+)$/.exec(path);

    if (req.method === 'GET' && path === '/user') return json(res, 200, USER);
    if (req.method === 'GET' && path === '/projects') return json(res, 200, page(PROJECTS, q));
    if (req.method === 'GET' && path === '/labels') return json(res, 200, page(LABELS, q));
    if (req.method === 'GET' && path === '/sections') {
      return json(
        res,
        200,
        page(
          SECTIONS.filter((s) => !q.get('project_id') || s.project_id === q.get('project_id')),
          q,
        ),
      );
    }
    if (req.method === 'GET' && path === '/tasks') {
      const project = q.get('project_id');
      return json(
        res,
        200,
        page(
          open.filter((t) => !project || t.project_id === project),
          q,
        ),
      );
    }
    if (req.method === 'GET' && path === '/tasks/completed/by_completion_date') {
      const since = q.get('since');
      const until = q.get('until');
      if (!since || !until) return fail(res, 400, 'Required argument is missing', 'ARGUMENT_MISSING');
      const [from, to] = [Date.parse(since), Date.parse(until)];
      const done = [...tasks.values()].filter(
        (t) =>
          t.completed_at &&
          Date.parse(t.completed_at) >= from &&
          Date.parse(t.completed_at) <= to &&
          (!q.get('project_id') || t.project_id === q.get('project_id')),
      );
      const { results, next_cursor } = page(done, q);
      return json(res, 200, { items: results, next_cursor });
    }
    if (req.method === 'POST' && path === '/tasks') {
      if (!body.content)
        return fail(res, 400, 'Required argument is missing', 'ARGUMENT_MISSING', { argument: 'content' });
      if (body.project_id && !PROJECTS.some((p) => p.id === body.project_id)) {
        return fail(res, 404, 'Project not found', 'NOT_FOUND');
      }
      const { due_string: _s, due_date: _d, ...rest } = body;
      return json(res, 200, addTask({ ...rest, content: body.content, due: due(body) }));
    }
    if (req.method === 'POST' && closing) {
      if (!tasks.has(closing[1])) return fail(res, 404, 'Task not found', 'NOT_FOUND');
      closeTask(closing[1]);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && one) {
      const task = tasks.get(one[1]);
      if (!task) return fail(res, 404, 'Task not found', 'NOT_FOUND');
      const { due_string: _s, due_date: _d, ...rest } = body;
      Object.assign(task, rest, due(body) ? { due: due(body) } : {}, { updated_at: new Date().toISOString() });
      return json(res, 200, task);
    }
    fail(res, 404, 'Not found', 'NOT_FOUND');
  });

  async function deliver(target: string, event: string, data: unknown, secret = CLIENT_SECRET): Promise<number> {
    const body = JSON.stringify({
      event_name: event,
      user_id: USER.id,
      event_data: data,
      initiator: { id: USER.id, email: USER.email, full_name: USER.full_name },
      version: '10',
      triggered_at: new Date().toISOString(),
    });
    const signature = createHmac('sha256', secret).update(body).digest('base64');
    const answer = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-todoist-hmac-sha256': signature,
        'x-todoist-delivery-id': `d-${++serial}`,
      },
      body,
    });
    await answer.text();
    return answer.status;
  }

  return Object.assign(server, { tasks, tokens, addTask, closeTask, deliver });
}
