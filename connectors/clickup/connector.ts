/**
 * ClickUp: tasks, comments and attachments, the custom fields of a list as input fields, and a
 * trigger on task events through ClickUp's webhooks (registered per recipe, signed with the
 * secret ClickUp returns when the webhook is made). OAuth 2.0 with an app registered in ClickUp.
 */
import { defineAction, defineConnector, defineTrigger, type Field } from '@weft/sdk';

const API = 'https://api.clickup.com/api/v2';
const APP = 'https://app.clickup.com';

/** A custom field of a list, as `GET list/{id}/field` describes it. */
interface CustomField {
  id: string;
  name: string;
  type: string;
  required?: boolean;
  type_config?: { options?: { id: string; name?: string; label?: string; orderindex?: number }[] };
}

/** Input fields of custom fields carry this prefix before the field's id. */
const CUSTOM = 'cf_';

/** The input field for one custom field; `undefined` for types this connector does not set. */
function customInput(field: CustomField): Field | undefined {
  const base = { name: `${CUSTOM}${field.id}`, label: field.name, optional: !field.required, sticky: true };
  const options = (field.type_config?.options ?? []).map((o): [string, string] => [o.name ?? o.label ?? o.id, o.id]);
  switch (field.type) {
    case 'text':
    case 'short_text':
      return { ...base, controlType: field.type === 'text' ? 'text-area' : 'text' };
    case 'email':
      return { ...base, controlType: 'email' };
    case 'url':
      return { ...base, controlType: 'url' };
    case 'phone':
      return { ...base, controlType: 'phone' };
    case 'number':
    case 'currency':
      return { ...base, type: 'number' };
    case 'checkbox':
      return { ...base, type: 'boolean', controlType: 'checkbox' };
    case 'date':
      return { ...base, type: 'date_time' };
    case 'drop_down':
      return { ...base, controlType: 'select', pickList: options };
    case 'labels':
      return { ...base, type: 'array', of: 'string', controlType: 'multiselect', pickList: options };
    default:
      return undefined;
  }
}

/** ClickUp wants dates as milliseconds since the epoch (a date field's value is an ISO string). */
function millis(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : time;
}

/** The names of the date fields among the resolved input fields. */
function dateFields(fields: readonly Field[] | undefined): Set<string> {
  return new Set((fields ?? []).filter((f) => f.type === 'date_time' || f.type === 'date').map((f) => f.name));
}

const EVENTS = [
  'taskCreated',
  'taskUpdated',
  'taskDeleted',
  'taskStatusUpdated',
  'taskAssigneeUpdated',
  'taskDueDateUpdated',
  'taskTagUpdated',
  'taskMoved',
  'taskCommentPosted',
  'taskCommentUpdated',
];

const taskOutput: Field[] = [
  { name: 'id' },
  { name: 'custom_id', optional: true },
  { name: 'name' },
  { name: 'description', optional: true },
  { name: 'url' },
  { name: 'status', type: 'object', properties: [{ name: 'status' }, { name: 'color', optional: true }] },
  { name: 'date_created', optional: true },
  { name: 'due_date', optional: true },
  { name: 'list', type: 'object', properties: [{ name: 'id' }, { name: 'name', optional: true }] },
  {
    name: 'custom_fields',
    type: 'array',
    of: 'object',
    optional: true,
    properties: [{ name: 'id' }, { name: 'name' }, { name: 'type' }],
  },
];

const createTask = defineAction({
  title: 'Create task',
  description: 'Create a task in a list, with the values of its custom fields',
  configFields: [
    { name: 'team_id', label: 'Workspace', controlType: 'select', pickList: 'teams' },
    {
      name: 'space_id',
      label: 'Space',
      controlType: 'select',
      pickList: 'spaces',
      pickListParams: { team_id: 'team_id' },
    },
    {
      name: 'list_id',
      label: 'List',
      controlType: 'select',
      pickList: 'lists',
      pickListParams: { space_id: 'space_id' },
      extendsSchema: true,
    },
  ],
  inputFields: async (ctx) => {
    const fields: Field[] = [
      { name: 'name' },
      { name: 'description', controlType: 'text-area', optional: true },
      { name: 'status', optional: true, hint: 'A status of the list, e.g. "to do"' },
      {
        name: 'priority',
        type: 'integer',
        optional: true,
        controlType: 'select',
        pickList: [
          ['Urgent', 1],
          ['High', 2],
          ['Normal', 3],
          ['Low', 4],
        ],
      },
      { name: 'due_date', type: 'date_time', optional: true },
      { name: 'tags', type: 'array', of: 'string', optional: true },
    ];
    const listId = ctx.configFields?.list_id;
    if (!listId) return fields;
    const described = await ctx.get(`list/${encodeURIComponent(String(listId))}/field`);
    for (const field of (described.fields ?? []) as CustomField[]) {
      const input = customInput(field);
      if (input) fields.push(input);
    }
    return fields;
  },
  execute: async (ctx) => {
    const { list_id, team_id: _team, space_id: _space, due_date, ...rest } = ctx.input;
    const body: Record<string, unknown> = {};
    const custom: { id: string; value: unknown }[] = [];
    const dates = dateFields(ctx.extendedInputSchema);
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined || value === null) continue;
      if (!key.startsWith(CUSTOM)) body[key] = value;
      else custom.push({ id: key.slice(CUSTOM.length), value: dates.has(key) ? millis(value) : value });
    }
    if (due_date) body.due_date = millis(due_date);
    if (custom.length > 0) body.custom_fields = custom;
    return ctx.post(`list/${encodeURIComponent(String(list_id))}/task`, body);
  },
  outputFields: taskOutput,
});

const uploadAttachment = defineAction({
  title: 'Upload attachment',
  description: 'Attach a file to a task',
  inputFields: [
    { name: 'task_id' },
    { name: 'file_name', hint: 'e.g. report.pdf' },
    { name: 'content', controlType: 'text-area', hint: 'The file: text, or base64 (see Encoding)' },
    {
      name: 'encoding',
      controlType: 'select',
      pickList: [
        ['Text (UTF-8)', 'text'],
        ['Base64', 'base64'],
      ],
      optional: true,
      default: 'text',
    },
    { name: 'content_type', optional: true, default: 'application/octet-stream' },
  ],
  execute: (ctx) => {
    const { task_id, file_name, content, encoding, content_type } = ctx.input;
    const bytes = Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8');
    return ctx
      .post(`task/${encodeURIComponent(task_id)}/attachment`, { attachment: [bytes, content_type, file_name] })
      .requestFormatMultipart();
  },
  outputFields: [{ name: 'id' }, { name: 'title' }, { name: 'extension', optional: true }, { name: 'url' }],
});

const addComment = defineAction({
  title: 'Add comment',
  description: 'Comment on a task',
  inputFields: [
    { name: 'task_id' },
    { name: 'comment_text', label: 'Comment', controlType: 'text-area' },
    { name: 'notify_all', type: 'boolean', optional: true, default: false },
  ],
  execute: (ctx) =>
    ctx.post(`task/${encodeURIComponent(ctx.input.task_id)}/comment`, {
      comment_text: ctx.input.comment_text,
      notify_all: ctx.input.notify_all,
    }),
  outputFields: [{ name: 'id' }, { name: 'hist_id', optional: true }, { name: 'date', optional: true }],
});

const getTask = defineAction({
  title: 'Get task',
  inputFields: [{ name: 'task_id' }],
  execute: (ctx) => ctx.get(`task/${encodeURIComponent(ctx.input.task_id)}`),
  outputFields: taskOutput,
});

interface TaskEvent {
  event: string;
  task_id?: string;
  webhook_id: string;
  history_items?: { id: string }[];
}

const taskEvent = defineTrigger({
  title: 'Task event',
  description: 'A task of the workspace is created, changed, commented on, ...',
  inputFields: [
    { name: 'team_id', label: 'Workspace', controlType: 'select', pickList: 'teams' },
    {
      name: 'events',
      type: 'array',
      of: 'string',
      controlType: 'multiselect',
      pickList: EVENTS.map((e): [string, string] => [e, e]),
      hint: 'Leave empty for every event',
      optional: true,
    },
    { name: 'list_id', label: 'Only in list', optional: true },
  ],
  webhookSubscribe: async (ctx) => {
    const events = ctx.input.events && ctx.input.events.length > 0 ? ctx.input.events : ['*'];
    const answer = await ctx.post(`team/${encodeURIComponent(ctx.input.team_id)}/webhook`, {
      endpoint: ctx.webhookUrl,
      events,
      ...(ctx.input.list_id ? { list_id: ctx.input.list_id } : {}),
    });
    // The secret signs every delivery of this webhook; ClickUp shows it only here.
    return { id: answer.webhook?.id ?? answer.id, secret: answer.webhook?.secret };
  },
  webhookUnsubscribe: async (ctx) => {
    await ctx.delete(`webhook/${encodeURIComponent(ctx.subscription.id)}`);
  },
  webhookNotification: (ctx) => {
    if (!ctx.verifyHmac({ secret: ctx.subscription?.secret, signatureHeader: 'x-signature' })) {
      ctx.error('This delivery is not signed with the secret of the ClickUp webhook: it is refused');
    }
    return ctx.payload as TaskEvent;
  },
  dedup: (event: TaskEvent) =>
    `${event.webhook_id}:${event.event}:${event.task_id ?? ''}:${event.history_items?.[0]?.id ?? ''}`,
  outputFields: [
    { name: 'event' },
    { name: 'task_id', optional: true },
    { name: 'webhook_id' },
    {
      name: 'history_items',
      type: 'array',
      of: 'object',
      optional: true,
      properties: [
        { name: 'id' },
        { name: 'field', optional: true },
        { name: 'date', optional: true },
        {
          name: 'user',
          type: 'object',
          optional: true,
          properties: [{ name: 'id', type: 'integer' }, { name: 'username' }, { name: 'email' }],
        },
      ],
    },
  ],
});

export default defineConnector({
  title: 'ClickUp',
  connection: {
    fields: [
      { name: 'client_id', label: 'Client ID', hint: 'Of the app registered in ClickUp (Settings → Apps)' },
      { name: 'client_secret', label: 'Client secret', controlType: 'password' },
      { name: 'base_url', label: 'API URL', controlType: 'url', optional: true, default: API },
      { name: 'app_url', label: 'App URL', controlType: 'url', optional: true, default: APP },
    ],
    authorization: {
      type: 'oauth2',
      authorizationUrl: (ctx) => `${ctx.connection.app_url ?? APP}/api`,
      tokenUrl: (ctx) => `${ctx.connection.base_url ?? API}/oauth/token`,
      tokenAuthMethod: 'client_secret_post',
    },
    baseUri: (ctx) => ctx.connection.base_url ?? API,
  },
  test: (ctx) => ctx.get('user'),
  pickLists: {
    teams: async (ctx) =>
      ((await ctx.get('team')).teams ?? []).map((t: { id: string; name: string }) => [t.name, t.id]),
    spaces: async (ctx, args) =>
      ((await ctx.get(`team/${encodeURIComponent(String(args?.team_id))}/space`)).spaces ?? []).map(
        (s: { id: string; name: string }) => [s.name, s.id],
      ),
    lists: async (ctx, args) => {
      const space = encodeURIComponent(String(args?.space_id));
      const [loose, folders] = await Promise.all([ctx.get(`space/${space}/list`), ctx.get(`space/${space}/folder`)]);
      const pairs: [string, string][] = (loose.lists ?? []).map((l: { id: string; name: string }) => [l.name, l.id]);
      for (const folder of folders.folders ?? []) {
        for (const list of folder.lists ?? []) pairs.push([`${folder.name} / ${list.name}`, list.id]);
      }
      return pairs;
    },
  },
  actions: {
    create_task: createTask,
    upload_attachment: uploadAttachment,
    add_comment: addComment,
    get_task: getTask,
  },
  triggers: { task_event: taskEvent },
});
