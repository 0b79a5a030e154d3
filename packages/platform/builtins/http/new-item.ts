/** The http built-in's "New item in a list" trigger: GET a list, fire once per new item. */
import { type ConnectorContext, defineTrigger } from '@weft/sdk';
import { isRecord, requestFields, targetOf, valueAt } from './shared.js';

/** `items_path` in the response: the list to read (the body itself when blank). */
function itemsOf(ctx: Pick<ConnectorContext, 'error'>, body: unknown, path: string | undefined): unknown[] {
  const list = valueAt(body, path);
  if (!Array.isArray(list)) {
    ctx.error(
      path
        ? `the response has no list at "${path}" (found ${list === undefined ? 'nothing' : typeof list})`
        : 'the response is not a list: set "Path to the list" to where the items are (e.g. data.items)',
    );
  }
  return list;
}

/** The dedup key of an item: the value at `field`, else the item's JSON. */
function keyOf(item: unknown, field: string | undefined): string {
  const value = field ? valueAt(item, field) : undefined;
  if (value !== undefined && value !== null && typeof value !== 'object') return String(value);
  return JSON.stringify(item);
}

interface NewItemsClosure {
  /** Keys of the items already in the list at the first poll (`first_poll: new`), never emitted. */
  skip?: string[];
}

/** The first poll's skipped keys are bounded: a longer first list keeps its first ones. */
const MAX_SKIPPED = 10_000;

export const newItemTrigger = defineTrigger({
  title: 'New item in a list',
  description: 'Polls a URL that answers a list (GET) and fires once for each item not seen before.',
  inputFields: [
    ...requestFields,
    {
      name: 'items_path',
      label: 'Path to the list',
      optional: true,
      sticky: true,
      hint: 'Where the list is in the response, e.g. data.items. Blank: the response is the list.',
    },
    {
      name: 'dedup_field',
      label: 'Unique field',
      default: 'id',
      optional: true,
      sticky: true,
      hint: 'The field that identifies an item (e.g. id, or a nested path like meta.uid). An item whose value was seen before does not fire again. Blank or missing: the whole item.',
    },
    {
      name: 'first_poll',
      label: 'When the recipe starts',
      controlType: 'select',
      options: [
        ['Only items added after the start', 'new'],
        ['Every item already in the list too', 'all'],
      ],
      default: 'new',
      optional: true,
      sticky: true,
    },
  ] as const,
  poll: async (ctx) => {
    const closure = (ctx.closure ?? undefined) as NewItemsClosure | undefined;
    const input = ctx.input as Record<string, any>;
    const url = targetOf(ctx, input.url);
    const request = ctx.get(url);
    if (isRecord(input.query)) request.params(input.query);
    if (isRecord(input.headers)) request.headers(input.headers as Record<string, string>);
    const items = itemsOf(ctx, await request, input.items_path);
    const field = typeof input.dedup_field === 'string' ? input.dedup_field.trim() : undefined;
    const events = items.map((item) => ({ key: keyOf(item, field), item }));
    if (closure === undefined && (input.first_poll ?? 'new') === 'new') {
      // The first poll only notes what is there: those items never fire.
      return { events: [], nextPoll: { skip: events.slice(0, MAX_SKIPPED).map((e) => e.key) } };
    }
    const skip = new Set(closure?.skip ?? []);
    return { events: events.filter((e) => !skip.has(e.key)), nextPoll: closure ?? { skip: [] } };
  },
  dedup: (event: { key: string }) => event.key,
  outputFields: [
    { name: 'key', label: 'Unique value', hint: 'The value of the unique field' },
    { name: 'item', type: 'object', hint: 'The item as the API returned it' },
  ],
  sampleOutput: { key: '42', item: { id: 42, title: 'An item' } },
});
