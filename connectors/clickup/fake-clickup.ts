/**
 * A fake ClickUp for the tests (not a connector): the OAuth 2.0 authorization page and token
 * endpoint, the parts of API v2 the connector uses, and webhooks that really deliver signed
 * events to the URL they were registered with.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

export const CLIENT_ID = 'cu-client-1';
export const CLIENT_SECRET = 'cu-secret-0123456789';
export const ACCESS_TOKEN = 'cu-token-abcdef012345';
const CODE = 'cu-code-42';

export interface Hook {
  id: string;
  endpoint: string;
  events: string[] | '*';
  list_id?: string;
  secret: string;
}

export interface FakeClickUp {
  /** The app's URL (the authorization page is `<url>/api`); the API is under `<url>/api/v2`. */
  url: string;
  api: string;
  server: TestServer;
  hooks: Map<string, Hook>;
  deletedHooks: string[];
  tasks: Map<string, Record<string, any>>;
  comments: { taskId: string; comment_text: string }[];
  attachments: { taskId: string; name: string; type: string; bytes: Buffer }[];
  /** Delivers `event` to every hook (signed with its secret, or with `secret`); the statuses. */
  emit(event: Record<string, unknown>, secret?: string): Promise<number[]>;
  close(): Promise<void>;
}

const FIELDS = [
  { id: 'c-points', name: 'Story points', type: 'number', required: false },
  {
    id: 'c-area',
    name: 'Area',
    type: 'drop_down',
    type_config: {
      options: [
        { id: 'o-web', name: 'Web', orderindex: 0 },
        { id: 'o-api', name: 'API', orderindex: 1 },
      ],
    },
  },
  { id: 'c-review', name: 'Review date', type: 'date' },
  { id: 'c-code', name: 'Code', type: 'short_text' },
  { id: 'c-rel', name: 'Related', type: 'list_relationship' },
];

export async function startFakeClickUp(): Promise<FakeClickUp> {
  const hooks = new Map<string, Hook>();
  const deletedHooks: string[] = [];
  const tasks = new Map<string, Record<string, any>>();
  const comments: FakeClickUp['comments'] = [];
  const attachments: FakeClickUp['attachments'] = [];
  let next = 1;

  const route = async (req: IncomingMessage, res: ServerResponse, body: string, raw: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/api') {
      // The authorization page: the user grants access at once.
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      if (url.searchParams.get('client_id') !== CLIENT_ID) return json(res, 400, { err: 'unknown client' });
      back.searchParams.set('code', CODE);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (method === 'POST' && url.pathname === '/api/v2/oauth/token') {
      const form = new URLSearchParams(body);
      const ok =
        form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET && form.get('code') === CODE;
      if (!ok) return json(res, 400, { err: 'Code invalid', ECODE: 'OAUTH_015' });
      return json(res, 200, { access_token: ACCESS_TOKEN, token_type: 'Bearer' });
    }
    if (!url.pathname.startsWith('/api/v2/')) return json(res, 404, { err: 'Route not found' });
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      return json(res, 401, { err: 'Token invalid', ECODE: 'OAUTH_025' });
    }
    const path = url.pathname.slice('/api/v2/'.length).split('/');
    const at = (pattern: string) => {
      const parts = pattern.split('/');
      if (parts.length !== path.length) return undefined;
      const found: string[] = [];
      for (const [i, part] of parts.entries()) {
        if (part === '*') found.push(decodeURIComponent(path[i] ?? ''));
        else if (part !== path[i]) return undefined;
      }
      return found;
    };
    let m: string[] = [];
    /** Whether the request is `verb pattern`; its `*` parts are then in `m`. */
    const hit = (verb: string, pattern: string): boolean => {
      const found = method === verb ? at(pattern) : undefined;
      m = found ?? [];
      return found !== undefined;
    };
    if (hit('GET', 'user')) return json(res, 200, { user: { id: 7, username: 'ada' } });
    if (hit('GET', 'team')) return json(res, 200, { teams: [{ id: '9001', name: 'Acme' }] });
    if (hit('GET', 'team/*/space')) {
      return json(res, 200, { spaces: m[0] === '9001' ? [{ id: 's1', name: 'Engineering' }] : [] });
    }
    if (hit('GET', 'space/s1/list')) return json(res, 200, { lists: [{ id: 'l1', name: 'Backlog' }] });
    if (hit('GET', 'space/s1/folder')) {
      return json(res, 200, { folders: [{ id: 'f1', name: 'Q1', lists: [{ id: 'l2', name: 'Sprint 1' }] }] });
    }
    if (hit('GET', 'list/l1/field')) return json(res, 200, { fields: FIELDS });
    if (hit('POST', 'list/*/task')) {
      const input = JSON.parse(body);
      if (!input.name) return json(res, 400, { err: 'Task name invalid', ECODE: 'INPUT_005' });
      const id = `t${next++}`;
      const task = {
        id,
        name: input.name,
        description: input.description ?? '',
        url: `https://app.clickup.com/t/${id}`,
        status: { status: input.status ?? 'to do', color: '#d3d3d3' },
        date_created: '1767225600000',
        due_date: input.due_date === undefined ? null : String(input.due_date),
        list: { id: m[0], name: 'Backlog' },
        custom_fields: FIELDS.map((f) => ({
          id: f.id,
          name: f.name,
          type: f.type,
          value: input.custom_fields?.find((c: { id: string }) => c.id === f.id)?.value,
        })),
        received: input,
      };
      tasks.set(id, task);
      return json(res, 200, task);
    }
    if (hit('GET', 'task/*')) {
      const task = tasks.get(m[0] ?? '');
      return task ? json(res, 200, task) : json(res, 404, { err: 'Task not found', ECODE: 'ITEM_013' });
    }
    if (hit('POST', 'task/*/comment')) {
      const input = JSON.parse(body);
      comments.push({ taskId: m[0] ?? '', comment_text: input.comment_text });
      return json(res, 200, { id: `c${next++}`, hist_id: `h${next++}`, date: 1767225600000 });
    }
    if (hit('POST', 'task/*/attachment')) {
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: raw,
      }).formData();
      const file = form.get('attachment');
      if (!(file instanceof File)) return json(res, 400, { err: 'No attachment supplied', ECODE: 'UPLOAD_002' });
      const bytes = Buffer.from(await file.arrayBuffer());
      attachments.push({ taskId: m[0] ?? '', name: file.name, type: file.type, bytes });
      const id = `a${next++}`;
      const extension = file.name.split('.').pop();
      return json(res, 200, { id, version: '0', title: file.name, extension, url: `https://t.clickup.test/${id}` });
    }
    if (hit('POST', 'team/*/webhook')) {
      const input = JSON.parse(body);
      const id = `0000000${next++}-hook`;
      const hook: Hook = { id, endpoint: input.endpoint, events: input.events, secret: `whsec-${id}-${m[0]}` };
      if (input.list_id) hook.list_id = String(input.list_id);
      hooks.set(id, hook);
      return json(res, 200, {
        id,
        webhook: { ...hook, userid: 7, team_id: Number(m[0]), health: { status: 'active' } },
      });
    }
    if (hit('DELETE', 'webhook/*')) {
      if (!hooks.delete(m[0] ?? '')) return json(res, 404, { err: 'Webhook not found', ECODE: 'HOOK_004' });
      deletedHooks.push(m[0] ?? '');
      return json(res, 200, {});
    }
    return json(res, 404, { err: 'Route not found', ECODE: 'APP_001' });
  };

  // startServer hands over the body as text; multipart uploads need the bytes, so keep them.
  const rawBodies = new WeakMap<IncomingMessage, Buffer>();
  const server = await startServer((req, res, body) => {
    route(req, res, body, rawBodies.get(req) ?? Buffer.from(body)).catch((error: Error) =>
      json(res, 500, { err: error.message }),
    );
  });
  server.server.prependListener('request', (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => rawBodies.set(req, Buffer.concat(chunks)));
  });

  return {
    url: server.url,
    api: `${server.url}/api/v2`,
    server,
    hooks,
    deletedHooks,
    tasks,
    comments,
    attachments,
    async emit(event, secret) {
      const statuses: number[] = [];
      for (const hook of hooks.values()) {
        const body = JSON.stringify({ ...event, webhook_id: hook.id });
        const signature = createHmac('sha256', secret ?? hook.secret)
          .update(body)
          .digest('hex');
        const res = await fetch(hook.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': signature },
          body,
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    },
    close: () => server.close(),
  };
}
