/** Names an operation the way an author finds it in the connector: `actions.create.execute`. */
import type { Operation } from '@weft/sdk/operations';

const TRIGGER_LAMBDA: Partial<Record<Operation['kind'], string>> = {
  poll: 'poll',
  dedup: 'dedup',
  webhook_notification: 'webhookNotification',
  webhook_subscribe: 'webhookSubscribe',
  webhook_unsubscribe: 'webhookUnsubscribe',
  webhook_refresh: 'webhookRefresh',
  webhook_key: 'webhookKey',
};

export function operationPath(operation: Operation): string {
  const named = operation as { action?: string; trigger?: string; name?: string; of?: string };
  if (operation.kind === 'action') return `actions.${named.action}.execute`;
  const lambda = TRIGGER_LAMBDA[operation.kind];
  if (lambda) return `triggers.${named.trigger}.${lambda}`;
  if (operation.kind === 'pick_list') return `pickLists.${named.name}`;
  if (operation.kind === 'method') return `methods.${named.name}`;
  if (operation.kind === 'object_definition') return `objectDefinitions.${named.name}`;
  if (named.of && named.name) return `${named.of}s.${named.name}.${operation.kind}`;
  return operation.kind;
}
