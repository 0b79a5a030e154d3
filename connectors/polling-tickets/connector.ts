/**
 * Helpdesk tickets: a polling trigger that reads tickets changed since a time cursor, page by
 * page, and gives each version of a ticket one signature so that an unchanged ticket never
 * fires twice.
 */
import { defineConnector, defineTrigger } from '@weft/sdk';

interface Ticket {
  id: number;
  subject: string;
  status: string;
  updated_at: string;
}

interface Cursor {
  /** Tickets changed at or after this instant are asked for. */
  since: string;
  /** The page to read next within the current pass. */
  page: number;
  /** The newest `updated_at` seen in this pass: the next pass starts there. */
  newest: string;
}

const PER_PAGE = 50;

const ticketUpdated = defineTrigger({
  title: 'New or updated ticket',
  description: 'Fires for each new ticket and each change to a ticket.',
  inputFields: [
    {
      name: 'since',
      label: 'From',
      type: 'date_time',
      optional: true,
      hint: 'Tickets changed before this are ignored. Default: when the recipe starts.',
    },
    { name: 'status', optional: true, pickList: 'statuses' },
  ] as const,
  poll: async (ctx) => {
    const closure = ctx.closure as Cursor | undefined;
    const since = closure?.since ?? ctx.input.since ?? ctx.now().toISOString();
    const page = closure?.page ?? 1;
    const response = await ctx.get<{ tickets: Ticket[]; next_page: number | null }>('tickets', {
      updated_since: since,
      status: ctx.input.status,
      sort: 'updated_at',
      page,
      per_page: PER_PAGE,
    });
    const tickets = response.tickets;
    let newest = closure?.newest ?? since;
    for (const t of tickets) if (t.updated_at > newest) newest = t.updated_at;
    // More pages in this pass: keep the cursor, read the next page at once. Otherwise the next
    // pass starts at the newest change seen (inclusive: dedup drops what was already seen).
    const more = response.next_page !== null;
    const nextPoll: Cursor = more ? { since, page: response.next_page!, newest } : { since: newest, page: 1, newest };
    return { events: tickets, nextPoll, canPollMore: more };
  },
  dedup: (ticket: Ticket) => `${ticket.id}@${ticket.updated_at}`,
  outputFields: [
    { name: 'id', type: 'integer' },
    { name: 'subject' },
    { name: 'status' },
    { name: 'updated_at', type: 'date_time' },
  ],
  sampleOutput: { id: 1, subject: 'Printer on fire', status: 'open', updated_at: '2026-03-01T10:00:00Z' },
});

export default defineConnector({
  title: 'Helpdesk (polling)',
  description: 'Tickets of a helpdesk, noticed by polling.',
  connection: {
    fields: [
      { name: 'base_url', label: 'API URL', controlType: 'url' },
      { name: 'api_token', label: 'API token', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => ctx.headers({ authorization: `Bearer ${ctx.connection.api_token}` }),
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },
  test: (ctx) => ctx.get('me'),
  triggers: { ticket_updated: ticketUpdated },
  pickLists: {
    statuses: () => [
      ['Open', 'open'],
      ['Pending', 'pending'],
      ['Solved', 'solved'],
    ],
  },
});
