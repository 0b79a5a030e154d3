/**
 * Tasker: a dynamic webhook. Starting a recipe registers its URL with the API
 * (`webhookSubscribe`); Tasker first sends a challenge the receiver must echo
 * (`webhookResponseBody`), then signed deliveries of one or more events each; stopping the
 * recipe deletes the registration (`webhookUnsubscribe`), and registrations that expire are
 * renewed (`webhookRefresh`).
 */
import { defineConnector, defineTrigger } from '@weft/sdk';

interface TaskEvent {
  id: string;
  type: string;
  task: { id: number; title: string; done: boolean };
  occurred_at: string;
}

const taskEvent = defineTrigger({
  title: 'Task event',
  description: 'Fires when a task is created, completed or deleted in a project.',
  inputFields: [
    { name: 'project_id', label: 'Project', type: 'integer' },
    {
      name: 'types',
      label: 'Event types',
      type: 'array',
      of: 'string',
      optional: true,
      hint: 'Default: every type',
    },
  ] as const,
  webhookSubscribe: async (ctx) => {
    const hook = await ctx.post<{ id: string; expires_at: string }>('webhooks', {
      target: ctx.webhookUrl,
      project_id: ctx.input.project_id,
      events: ctx.input.types?.length ? ctx.input.types : ['task.created', 'task.completed', 'task.deleted'],
    });
    return { id: hook.id, expires_at: hook.expires_at };
  },
  webhookRefresh: async (ctx) => {
    const hook = await ctx.post<{ id: string; expires_at: string }>(`webhooks/${ctx.subscription.id}/renew`);
    return { id: hook.id, expires_at: hook.expires_at };
  },
  webhookUnsubscribe: async (ctx) => {
    await ctx.delete(`webhooks/${ctx.subscription.id}`);
  },
  webhookNotification: (ctx) => {
    // The handshake carries no event: answer it (below) and create nothing.
    if (ctx.payload.type === 'url_verification') return null;
    const signed = ctx.verifyTimestampedHmac({
      secret: ctx.connection.signing_secret,
      signatureHeader: 'x-tasker-signature',
      timestampHeader: 'x-tasker-timestamp',
      prefix: 'v1=',
      toleranceSeconds: 300,
    });
    if (!signed) ctx.error('The delivery is not signed by Tasker (or is too old to trust)');
    return ctx.payload.events as TaskEvent[];
  },
  webhookResponseBody: (ctx) =>
    ctx.payload.type === 'url_verification' ? { challenge: ctx.payload.challenge } : { ok: true },
  dedup: (event: TaskEvent) => event.id,
  outputFields: [
    { name: 'id' },
    { name: 'type' },
    {
      name: 'task',
      type: 'object',
      properties: [{ name: 'id', type: 'integer' }, { name: 'title' }, { name: 'done', type: 'boolean' }],
    },
    { name: 'occurred_at', type: 'date_time' },
  ],
  sampleOutput: {
    id: 'ev_1',
    type: 'task.completed',
    task: { id: 7, title: 'Write docs', done: true },
    occurred_at: '2026-03-01T10:00:00Z',
  },
});

export default defineConnector({
  title: 'Tasker (dynamic webhooks)',
  description: 'Tasks and projects; events arrive by webhooks the connector registers.',
  connection: {
    fields: [
      { name: 'base_url', label: 'API URL', controlType: 'url' },
      { name: 'api_key', label: 'API key', controlType: 'password' },
      { name: 'signing_secret', label: 'Webhook signing secret', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => ctx.headers({ 'x-api-key': ctx.connection.api_key }),
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  triggers: { task_event: taskEvent },
});
