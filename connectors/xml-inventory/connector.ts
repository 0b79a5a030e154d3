/**
 * Acme Inventory: an XML API. The token travels as the `token` query parameter (old-style,
 * but common); every request asks for XML.
 *
 * Shows the XML convention of SPEC §3 both ways: a parsed element is an object whose child
 * elements are arrays (even when they occur once), attributes are `@name` keys and text is a
 * `#text` string (so SKU `01234` keeps its leading zero). Requests are built with
 * `requestFormatXml(root, namespaces)`, which also accepts plain values and arrays.
 */
import { defineAction, defineConnector, defineFields } from '@weft/sdk';

const NS = 'urn:acme:inventory:v1';

/** An XML element in the parsed convention. */
type XmlElement = { [key: string]: XmlElement[] | string | undefined; '#text'?: string };

/** The text of the first child element `name`, if any. */
function text(element: XmlElement | undefined, name: string): string | undefined {
  const child = element?.[name];
  return Array.isArray(child) ? child[0]?.['#text'] : undefined;
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const child = element?.[name];
  return Array.isArray(child) ? child : [];
}

const ACCEPT_XML = { Accept: 'application/xml' };

const itemFields = [
  { name: 'sku', label: 'SKU', hint: 'Digits; leading zeros are significant' },
  { name: 'status' },
  { name: 'name' },
  { name: 'quantity', type: 'integer' },
  {
    name: 'price',
    type: 'object',
    properties: [{ name: 'amount', type: 'number' }, { name: 'currency' }],
  },
  { name: 'tags', type: 'array', of: 'string' },
  {
    name: 'locations',
    type: 'array',
    of: 'object',
    properties: [{ name: 'warehouse' }, { name: 'bin' }],
  },
] as const;

export default defineConnector({
  title: 'Acme Inventory',
  description: 'Items and stock levels in Acme Inventory (XML API).',

  connection: {
    fields: [
      { name: 'base_url', label: 'Base URL', controlType: 'url', hint: 'e.g. https://inventory.acme.example/v1' },
      { name: 'api_token', label: 'API token', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        ctx.params({ token: ctx.connection.api_token });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },

  test: async (ctx) => {
    const doc = await ctx.get('ping').headers(ACCEPT_XML).responseFormatXml({ stripNamespaces: true });
    const pong = children(doc, 'Pong')[0];
    return { ok: true, version: pong?.['@version'] };
  },

  methods: {
    /** A parsed `<Item>` element (namespaces stripped) as a flat record. */
    item_from_xml: (_ctx, item: XmlElement) => {
      const price = children(item, 'Price')[0];
      return {
        sku: item['@sku'],
        status: item['@status'],
        name: text(item, 'Name'),
        quantity: Number(text(item, 'Quantity') ?? 0),
        ...(price ? { price: { amount: Number(price['#text']), currency: price['@currency'] } } : {}),
        tags: children(item, 'Tag').map((t) => t['#text'] ?? ''),
        locations: children(item, 'Location').map((l) => ({ warehouse: l['@warehouse'], bin: text(l, 'Bin') })),
      };
    },
  },

  actions: {
    get_item: {
      title: 'Get item',
      inputFields: [
        { name: 'sku', label: 'SKU' },
        {
          name: 'raw',
          type: 'boolean',
          optional: true,
          hint: 'Return the parsed XML document instead of a flat record',
        },
      ],
      execute: async (ctx) => {
        const doc = await ctx
          .get(`items/${encodeURIComponent(ctx.input.sku)}`)
          .headers(ACCEPT_XML)
          .responseFormatXml()
          .afterErrorResponse(404, () => null);
        if (!doc) ctx.error(`No item with SKU ${ctx.input.sku} in Acme Inventory`);
        if (ctx.input.raw) return doc;
        return ctx.call('item_from_xml', children(doc, 'Item')[0]);
      },
      outputFields: itemFields,
    },

    create_item: defineAction({
      title: 'Create item',
      inputFields: defineFields([
        { name: 'sku', label: 'SKU', hint: 'Keep leading zeros: this is text, not a number' },
        { name: 'name' },
        { name: 'quantity', type: 'integer', default: 0, optional: true },
        {
          name: 'status',
          controlType: 'select',
          pickList: [
            ['Active', 'active'],
            ['Discontinued', 'discontinued'],
          ],
          default: 'active',
          optional: true,
        },
        { name: 'price', type: 'number', optional: true },
        { name: 'currency', default: 'EUR', optional: true },
        { name: 'tags', type: 'array', of: 'string', optional: true },
        {
          name: 'locations',
          type: 'array',
          of: 'object',
          optional: true,
          properties: [{ name: 'warehouse' }, { name: 'bin' }],
        },
      ]),
      execute: async (ctx) => {
        const { sku, name, quantity, status, price, currency, tags, locations } = ctx.input;
        const item: Record<string, unknown> = {
          '@sku': sku,
          '@status': status ?? 'active',
          // A plain value is a text element.
          'inv:Name': name,
          'inv:Quantity': quantity ?? 0,
        };
        // The full convention: an array of elements with attributes and text.
        if (price !== undefined) item['inv:Price'] = [{ '@currency': currency ?? 'EUR', '#text': String(price) }];
        // An array of plain values: one element per value.
        if (tags?.length) item['inv:Tag'] = tags;
        if (locations?.length) {
          item['inv:Location'] = locations.map((l) => ({ '@warehouse': l.warehouse, 'inv:Bin': l.bin }));
        }
        const doc = await ctx
          .post('items', item)
          .requestFormatXml('inv:Item', { inv: NS })
          .headers(ACCEPT_XML)
          .responseFormatXml({ stripNamespaces: true });
        return ctx.call('item_from_xml', children(doc, 'Item')[0]);
      },
      outputFields: itemFields,
    }),

    list_items: {
      title: 'List items',
      inputFields: [
        { name: 'warehouse', optional: true, hint: 'Only items stocked in this warehouse' },
        { name: 'page', type: 'integer', default: 1, optional: true },
      ],
      execute: async (ctx) => {
        const params: Record<string, unknown> = { page: ctx.input.page ?? 1 };
        if (ctx.input.warehouse) params.warehouse = ctx.input.warehouse;
        // The API prefixes every element (`inv:Item`, `x:Note`); stripping namespaces gives
        // plain names whatever prefixes the server chooses.
        const doc = await ctx.get('items', params).headers(ACCEPT_XML).responseFormatXml({ stripNamespaces: true });
        const inventory = children(doc, 'Inventory')[0];
        const items = [];
        for (const item of children(inventory, 'Item')) items.push(await ctx.call('item_from_xml', item));
        return {
          items,
          count: Number(inventory?.['@count'] ?? items.length),
          more: inventory?.['@more'] === 'true',
        };
      },
      outputFields: [
        { name: 'items', type: 'array', of: 'object', properties: itemFields },
        { name: 'count', type: 'integer' },
        { name: 'more', type: 'boolean' },
      ],
      summarizeOutput: ['items'],
    },
  },
});
