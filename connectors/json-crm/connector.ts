/**
 * Acme CRM: a JSON REST API with an API key sent in the `X-Api-Key` header.
 *
 * Shows: typed input fields (integer, boolean, date, nested object, array of objects, select with
 * a pick list, a dependent pick list), a reusable object definition for output fields, a method
 * called through `ctx.call`, response shaping with `afterResponse`, a handled 404 with
 * `afterErrorResponse`, retries on 429 and a polling trigger with a time cursor, pagination and
 * deduplication.
 */
import { defineConnector } from '@weft/sdk';

/** A contact as the API returns it. */
interface Contact {
  id: number;
  first_name: string;
  last_name?: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

interface ContactPage {
  contacts: Contact[];
  next_page: number | null;
}

/** The cursor of `new_contacts`: where the time window starts and which page of it comes next. */
interface NewContactsCursor {
  since: string;
  page: number;
  /** Newest `created_at` seen in this window; becomes `since` once the window is read. */
  newest: string;
}

const PAGE_SIZE = 50;

export default defineConnector({
  title: 'Acme CRM',
  description: 'Contacts in Acme CRM (JSON REST API, API key authentication).',

  connection: {
    fields: [
      {
        name: 'base_url',
        label: 'Base URL',
        controlType: 'url',
        hint: 'The API root, e.g. https://acme.example.com/api/v2',
      },
      { name: 'api_key', label: 'API key', controlType: 'password', hint: 'Settings → API keys in Acme CRM' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        ctx.headers({ 'X-Api-Key': ctx.connection.api_key });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },

  test: (ctx) => ctx.get('me'),

  objectDefinitions: {
    address: {
      fields: () => [
        { name: 'street' },
        { name: 'city' },
        { name: 'zip', label: 'ZIP code' },
        { name: 'country', hint: 'ISO 3166 alpha-2 code' },
      ],
    },
    contact: {
      fields: async (ctx) => [
        { name: 'id', type: 'integer' },
        { name: 'first_name' },
        { name: 'last_name' },
        { name: 'full_name', hint: 'First and last name, as shown in Acme' },
        { name: 'email', controlType: 'email' },
        { name: 'age', type: 'integer' },
        { name: 'vip', label: 'VIP', type: 'boolean' },
        { name: 'birthday', type: 'date' },
        { name: 'status', pickList: 'contact_statuses' },
        { name: 'address', type: 'object', properties: await ctx.objectDefinitions.address },
        {
          name: 'phones',
          type: 'array',
          of: 'object',
          properties: [{ name: 'kind' }, { name: 'number', controlType: 'phone' }],
        },
        { name: 'created_at', type: 'date_time' },
        { name: 'updated_at', type: 'date_time' },
      ],
    },
  },

  pickLists: {
    contact_statuses: () => [
      ['Lead', 'lead'],
      ['Customer', 'customer'],
      ['Churned', 'churned'],
    ],
    countries: () => [
      ['Germany', 'DE'],
      ['France', 'FR'],
      ['United States', 'US'],
    ],
    /** Dependent pick list: the cities the API knows for one country. */
    cities: async (ctx, args) => {
      if (!args.country) return [];
      const { cities } = await ctx.get(`countries/${encodeURIComponent(args.country)}/cities`);
      return (cities as { name: string; code: string }[]).map((c) => [c.name, c.name] as const);
    },
  },

  methods: {
    format_name: (_ctx, contact: Pick<Contact, 'first_name' | 'last_name'>) =>
      [contact.first_name, contact.last_name].filter(Boolean).join(' '),
    /** A contact as the actions output it: the API's record plus `full_name`. */
    present_contact: async (ctx, contact: Contact) => ({
      ...contact,
      full_name: await ctx.call('format_name', contact),
    }),
  },

  actions: {
    list_contacts: {
      title: 'List contacts',
      inputFields: [
        { name: 'status', controlType: 'select', pickList: 'contact_statuses', optional: true },
        { name: 'updated_since', type: 'date_time', optional: true },
        { name: 'page', type: 'integer', default: 1, optional: true },
        { name: 'per_page', type: 'integer', default: PAGE_SIZE, optional: true, hint: 'At most 100' },
      ],
      // Acme throttles bursts with 429 and a Retry-After header.
      retryOnResponse: [429],
      maxRetries: 3,
      execute: async (ctx) => {
        const page: ContactPage = await ctx.get('contacts', {
          status: ctx.input.status,
          updated_since: ctx.input.updated_since,
          page: ctx.input.page ?? 1,
          per_page: ctx.input.per_page ?? PAGE_SIZE,
        });
        const contacts = [];
        for (const contact of page.contacts) contacts.push(await ctx.call('present_contact', contact));
        return { contacts, next_page: page.next_page };
      },
      outputFields: async (ctx) => [
        { name: 'contacts', type: 'array', of: 'object', properties: await ctx.objectDefinitions.contact },
        { name: 'next_page', type: 'integer' },
      ],
      summarizeOutput: ['contacts'],
    },

    get_contact: {
      title: 'Get contact',
      inputFields: [{ name: 'id', type: 'integer' }],
      execute: async (ctx) => {
        // The API wraps the record: `{ "data": { ... }, "meta": { ... } }`.
        const contact = await ctx
          .get<{ data: Contact }>(`contacts/${ctx.input.id}`)
          .afterResponse((_code, body) => body.data as Contact);
        return ctx.call('present_contact', contact);
      },
      outputFields: (ctx) => ctx.objectDefinitions.contact,
    },

    create_contact: {
      title: 'Create contact',
      inputFields: [
        { name: 'first_name' },
        { name: 'last_name', optional: true },
        { name: 'email', controlType: 'email' },
        { name: 'age', type: 'integer', optional: true },
        { name: 'vip', label: 'VIP', type: 'boolean', convertInput: 'boolean_conversion', optional: true },
        { name: 'birthday', type: 'date', optional: true },
        {
          name: 'status',
          controlType: 'select',
          pickList: 'contact_statuses',
          default: 'lead',
          optional: true,
          toggleHint: 'Select from list',
          toggleField: { name: 'status', type: 'string', controlType: 'text', toggleHint: 'Enter a status value' },
        },
        {
          name: 'address',
          type: 'object',
          optional: true,
          properties: [
            { name: 'street', optional: true },
            { name: 'zip', label: 'ZIP code', optional: true },
            { name: 'country', controlType: 'select', pickList: 'countries', extendsSchema: true },
            {
              name: 'city',
              controlType: 'select',
              pickList: 'cities',
              pickListParams: { country: 'country' },
              optional: true,
            },
          ],
        },
        {
          name: 'phones',
          type: 'array',
          of: 'object',
          optional: true,
          listMode: 'dynamic',
          itemLabel: 'Phone',
          properties: [
            {
              name: 'kind',
              controlType: 'select',
              pickList: [
                ['Work', 'work'],
                ['Mobile', 'mobile'],
                ['Home', 'home'],
              ],
            },
            { name: 'number', controlType: 'phone' },
          ],
        },
      ],
      execute: async (ctx) => ctx.call('present_contact', await ctx.post<Contact>('contacts', ctx.input)),
      outputFields: (ctx) => ctx.objectDefinitions.contact,
      sampleOutput: () => ({
        id: 1,
        first_name: 'Ada',
        last_name: 'Lovelace',
        full_name: 'Ada Lovelace',
        email: 'ada@example.com',
        status: 'lead',
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      }),
    },

    update_contact: {
      title: 'Update contact',
      inputFields: [
        { name: 'id', type: 'integer' },
        { name: 'first_name', optional: true },
        { name: 'last_name', optional: true },
        { name: 'email', controlType: 'email', optional: true },
        { name: 'status', controlType: 'select', pickList: 'contact_statuses', optional: true },
        { name: 'vip', label: 'VIP', type: 'boolean', optional: true },
      ],
      execute: async (ctx) => {
        const { id, ...changes } = ctx.input;
        if (Object.keys(changes).length === 0) ctx.error('Nothing to update: give at least one field besides id');
        return ctx.call('present_contact', await ctx.patch<Contact>(`contacts/${id}`, changes));
      },
      outputFields: (ctx) => ctx.objectDefinitions.contact,
    },

    delete_contact: {
      title: 'Delete contact',
      inputFields: [{ name: 'id', type: 'integer' }],
      execute: async (ctx) => {
        // Deleting a contact that is already gone is not a failure for a recipe.
        const missing = await ctx
          .delete(`contacts/${ctx.input.id}`)
          .afterErrorResponse(404, () => ({ deleted: false }) as const);
        if (missing && typeof missing === 'object' && (missing as { deleted?: unknown }).deleted === false) {
          return { id: ctx.input.id, deleted: false };
        }
        return { id: ctx.input.id, deleted: true };
      },
      outputFields: [
        { name: 'id', type: 'integer' },
        { name: 'deleted', type: 'boolean' },
      ],
    },
  },

  triggers: {
    new_contacts: {
      title: 'New contact',
      description: 'Fires once for every contact created in Acme CRM.',
      inputFields: [
        {
          name: 'since',
          label: 'When first started, this recipe should pick up contacts from',
          type: 'date_time',
          optional: true,
          hint: 'Default: one hour before the recipe starts',
        },
      ],
      poll: async (ctx) => {
        const first = ctx.now().getTime() - 3600_000;
        const cursor: NewContactsCursor = ctx.closure ?? {
          since: ctx.input.since ?? new Date(first).toISOString(),
          page: 1,
          newest: ctx.input.since ?? new Date(first).toISOString(),
        };
        const page: ContactPage = await ctx.get('contacts', {
          created_since: cursor.since,
          sort: 'created_at',
          page: cursor.page,
          per_page: PAGE_SIZE,
        });
        const events = [];
        let newest = cursor.newest;
        for (const contact of page.contacts) {
          if (Date.parse(contact.created_at) > Date.parse(newest)) newest = contact.created_at;
          events.push(await ctx.call('present_contact', contact));
        }
        if (page.next_page) {
          // More of this window: keep `since`, read the next page at once.
          return { events, nextPoll: { ...cursor, page: page.next_page, newest }, canPollMore: true };
        }
        // Window done: the next one starts at the newest contact seen. `created_since` is
        // inclusive, so that contact comes again; `dedup` keeps it from firing twice.
        return { events, nextPoll: { since: newest, page: 1, newest }, canPollMore: false };
      },
      dedup: (contact: Contact) => `contact-${contact.id}`,
      outputFields: (ctx) => ctx.objectDefinitions.contact,
    },
  },
});
