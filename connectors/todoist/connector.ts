/**
 * Todoist: tasks, projects, sections and labels through Todoist's unified API (v1).
 *
 * Ported from the Activepieces Todoist piece (activepieces/activepieces,
 * packages/pieces/community/todoist): the same actions (create, update, find, complete a task)
 * and the same polling trigger (task completed), plus Todoist's app webhooks as a static-webhook
 * trigger (new task). Written from Weft's docs/ and Todoist's API facts; no code was copied.
 *
 * Shows: an `oauth2` authorization-code connection whose client secret goes in the token
 * request's body (`client_secret_post`); cursor pagination (`next_cursor`) in pick lists, a
 * search action and a poll; dynamic and dependent pick lists; a static webhook routed by the
 * Todoist user id and checked with Todoist's HMAC signature.
 */
import { type ConnectorContext, defineAction, defineConnector, defineFields, defineTrigger } from '@weft/sdk';
import { paginate, pickListOf } from './paging.js';
import { type Task, taskFields, userFields } from './shapes.js';

const API = 'https://api.todoist.com';
const OAUTH = 'https://todoist.com';

/** The API root: Todoist's, or a local stand-in when the connection names one (tests). */
const origin = (connection: Record<string, any>, real: string) =>
  connection.server_url ? String(connection.server_url).replace(/\/+$/, '') : real;

/** Fields a task is created or updated with (everything optional on update). */
const taskInput = defineFields([
  { name: 'description', controlType: 'text-area', optional: true, hint: 'Markdown is allowed' },
  {
    name: 'labels',
    type: 'array',
    of: 'string',
    controlType: 'multiselect',
    pickList: 'labels',
    delimiter: ',',
    optional: true,
    hint: 'Label names (personal or shared)',
  },
  {
    name: 'priority',
    type: 'integer',
    controlType: 'select',
    pickList: 'priorities',
    optional: true,
    hint: '1 (normal) to 4 (urgent)',
  },
  {
    name: 'due_string',
    optional: true,
    hint: 'In words, in the user’s language: "tomorrow at 9", "every monday"',
  },
  { name: 'due_date', type: 'date', optional: true, hint: 'A date (YYYY-MM-DD); ignored when a due string is given' },
]);

/** The task body Todoist expects: unset values left out, so an update changes only what is given. */
function taskBody(input: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'task_id') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    body[key] = value;
  }
  if (body.due_string) delete body.due_date;
  return body;
}

const createTask = defineAction({
  title: 'Create task',
  subtitle: 'Adds a task to a project (the Inbox when none is chosen)',
  inputFields: [
    { name: 'content', label: 'Task name', hint: 'Markdown and links are allowed' },
    { name: 'project_id', label: 'Project', controlType: 'select', pickList: 'projects', optional: true },
    {
      name: 'section_id',
      label: 'Section',
      controlType: 'select',
      pickList: 'sections',
      pickListParams: { project_id: 'project_id' },
      optional: true,
    },
    ...taskInput,
  ],
  execute: (ctx) => ctx.post('tasks', taskBody(ctx.input)),
  outputFields: taskFields,
  sampleOutput: {
    id: '6X7rM8997g3RQmvh',
    content: 'Buy milk',
    description: '',
    project_id: '6Jf8VQXxpwv56VQ7',
    section_id: null,
    labels: [],
    priority: 1,
    checked: false,
    due: null,
    added_at: '2026-01-05T10:00:00.000000Z',
    completed_at: null,
  },
});

const updateTask = defineAction({
  title: 'Update task',
  subtitle: 'Changes the fields given; the others stay as they are',
  inputFields: [
    { name: 'task_id', label: 'Task ID' },
    { name: 'content', label: 'Task name', optional: true },
    ...taskInput,
  ],
  execute: (ctx) => ctx.post(`tasks/${encodeURIComponent(ctx.input.task_id)}`, taskBody(ctx.input)),
  outputFields: taskFields,
});

const findTask = defineAction({
  title: 'Find task',
  subtitle: 'Finds open tasks by name, in one project or in all of them',
  inputFields: [
    { name: 'name', label: 'Task name', hint: 'The whole name; the comparison ignores case' },
    { name: 'project_id', label: 'Project', controlType: 'select', pickList: 'projects', optional: true },
    {
      name: 'fail_if_missing',
      type: 'boolean',
      controlType: 'checkbox',
      optional: true,
      default: false,
      hint: 'Fail the step when no task has this name (else: an empty list)',
    },
  ],
  execute: async (ctx) => {
    const wanted = ctx.input.name.trim().toLowerCase();
    const tasks = await paginate<Task>(ctx, 'tasks', { project_id: ctx.input.project_id });
    const found = tasks.filter((t) => t.content.trim().toLowerCase() === wanted);
    if (found.length === 0 && ctx.input.fail_if_missing) {
      ctx.error(`No open task is named "${ctx.input.name}"${ctx.input.project_id ? ' in this project' : ''}`);
    }
    return { tasks: found, first: found[0] ?? null, count: found.length };
  },
  outputFields: [
    { name: 'tasks', type: 'array', of: 'object', properties: taskFields },
    { name: 'first', type: 'object', properties: taskFields },
    { name: 'count', type: 'integer' },
  ],
});

const completeTask = defineAction({
  title: 'Mark task as completed',
  inputFields: [{ name: 'task_id', label: 'Task ID' }],
  execute: async (ctx) => {
    const id = ctx.input.task_id;
    await ctx
      .post(`tasks/${encodeURIComponent(id)}/close`)
      .afterErrorResponse(404, () => ctx.error(`Todoist has no task ${id} (deleted, or not shared with this account)`));
    return { id, completed: true };
  },
  outputFields: [{ name: 'id' }, { name: 'completed', type: 'boolean' }],
});

/** The closure of `task_completed`: one time window, read page by page. */
interface CompletedWindow {
  since: string;
  until: string;
  cursor?: string | null;
}

const taskCompleted = defineTrigger({
  title: 'Task completed',
  description: 'A task was marked completed (checked every poll interval)',
  inputFields: [
    {
      name: 'project_id',
      label: 'Project',
      controlType: 'select',
      pickList: 'projects',
      optional: true,
      hint: 'Leave empty for every project',
    },
  ],
  poll: async (ctx) => {
    // Todoist's date-times: UTC to the second.
    const iso = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const now = iso(ctx.now());
    const previous = ctx.closure as CompletedWindow | undefined;
    // A new window starts where the previous one ended (inclusive: dedup drops the boundary);
    // the very first one looks five minutes back.
    const window: CompletedWindow = previous?.cursor
      ? previous
      : { since: previous?.until ?? iso(new Date(ctx.now().getTime() - 5 * 60_000)), until: now };
    const page = await ctx.get('tasks/completed/by_completion_date', {
      since: window.since,
      until: window.until,
      project_id: ctx.input.project_id,
      cursor: window.cursor ?? undefined,
      limit: 200,
    });
    const more = typeof page.next_cursor === 'string' && page.next_cursor !== '';
    return {
      events: page.items ?? [],
      nextPoll: { since: window.since, until: window.until, cursor: more ? page.next_cursor : null },
      canPollMore: more,
    };
  },
  dedup: (task: Task) => `${task.id}@${task.completed_at}`,
  outputFields: taskFields,
});

const newTask = defineTrigger({
  title: 'New task (instant)',
  description: 'Todoist sends each new task to Weft as it is added (the app’s webhook)',
  help: 'In the Todoist App Console, set the app’s webhook callback URL to the recipe’s staticWebhookUrl and tick the item:added event.',
  inputFields: [
    {
      name: 'project_id',
      label: 'Project',
      controlType: 'select',
      pickList: 'projects',
      optional: true,
      hint: 'Leave empty for every project',
    },
  ],
  webhookKey: async (ctx) => (await ctx.get('user')).id,
  webhookNotification: (ctx) => {
    if (
      !ctx.verifyHmac({
        secret: ctx.connection.client_secret,
        signatureHeader: 'x-todoist-hmac-sha256',
        encoding: 'base64',
      })
    ) {
      ctx.error('This delivery is not signed with the client secret of the Todoist app');
    }
    if (ctx.payload.event_name !== 'item:added') return null;
    const task = ctx.payload.event_data as Task;
    if (ctx.input.project_id && task.project_id !== ctx.input.project_id) return null;
    return task;
  },
  dedup: (task: Task) => task.id,
  outputFields: taskFields,
});

export default defineConnector({
  title: 'Todoist',
  description: 'To-do lists and tasks',
  connection: {
    fields: [
      { name: 'client_id', label: 'Client ID', hint: 'Of your app in the Todoist App Console' },
      { name: 'client_secret', label: 'Client secret', controlType: 'password', hint: 'Also signs the app’s webhooks' },
      {
        name: 'server_url',
        label: 'Server URL',
        controlType: 'url',
        optional: true,
        hint: 'Leave empty. Only for a local stand-in of Todoist (tests): it serves /oauth and /api/v1',
      },
    ],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${origin(ctx.connection, OAUTH)}/oauth/authorize`,
      tokenUrl: (ctx) => `${origin(ctx.connection, OAUTH)}/oauth/access_token`,
      scope: 'data:read_write',
      // Todoist reads the client id and secret from the form body, not from a Basic header.
      tokenAuthMethod: 'client_secret_post',
    },
    baseUri: (ctx) => `${origin(ctx.connection, API)}/api/v1/`,
  },
  test: (ctx) => ctx.get('user'),
  identity: async (ctx) => (await ctx.get('user')).email,
  webhookKeys: (ctx) => String(ctx.payload?.user_id ?? ''),
  customAction: true,
  actions: {
    create_task: createTask,
    update_task: updateTask,
    find_task: findTask,
    complete_task: completeTask,
    get_current_user: {
      title: 'Get current user',
      execute: (ctx: ConnectorContext) => ctx.get('user'),
      outputFields: userFields,
    },
  },
  triggers: {
    task_completed: taskCompleted,
    new_task: newTask,
  },
  pickLists: {
    projects: (ctx) => pickListOf(ctx, 'projects', (p) => [p.name, p.id]),
    sections: (ctx, args: { project_id?: string }) =>
      args?.project_id ? pickListOf(ctx, 'sections', (s) => [s.name, s.id], { project_id: args.project_id }) : [],
    labels: (ctx) => pickListOf(ctx, 'labels', (l) => [l.name, l.name]),
    priorities: () => [
      ['Normal (p4)', 1],
      ['Medium (p3)', 2],
      ['High (p2)', 3],
      ['Urgent (p1)', 4],
    ],
  },
});
