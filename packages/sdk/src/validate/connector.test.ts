import { describe, expect, test } from 'vitest';
import { DefinitionError, type Problem } from '../errors.js';
import { assertValidConnector, validateConnector } from './connector.js';
import { editDistance, suggestKey } from './keys.js';

const fn = () => undefined;
const valid = {
  title: 'Acme',
  connection: {
    fields: [{ name: 'api_key', controlType: 'password' }],
    authorization: { type: 'api_key', apply: fn },
    baseUri: fn,
  },
  test: fn,
  actions: {
    create_contact: {
      title: 'Create contact',
      configFields: [{ name: 'object', controlType: 'select', pickList: 'objects' }],
      inputFields: [
        { name: 'email', convertInput: 'string_conversion' },
        { name: 'country', pickList: 'countries' },
        { name: 'state', pickList: 'states', pickListParams: { country: 'country', object: 'object' } },
        { name: 'kind', ngIf: 'config.object == "person" && !input.phone' },
        { name: 'phone', convertInput: 'normalize_phone' },
        { name: 'address', type: 'object', properties: [{ name: 'city' }] },
      ],
      outputFields: fn,
      execute: fn,
      maxRetries: 2,
      retryOnRequest: ['get', 'POST'],
      retryOnResponse: [429, /busy/],
    },
  },
  triggers: {
    new_contact: { poll: fn, dedup: fn },
    hook: { webhookNotification: fn, webhookPayloadType: 'raw', webhookResponseStatus: 202 },
  },
  objectDefinitions: { contact: { fields: fn } },
  pickLists: { objects: fn, countries: fn, states: fn },
  methods: { normalize_phone: fn },
  webhookKeys: fn,
  streams: { download: fn },
  secureTunnel: false,
  customAction: true,
};

const clone = (overrides: (def: any) => void) => {
  const def = structuredCloneWithFunctions(valid);
  overrides(def);
  return def;
};

// structuredClone drops functions; a small recursive copy keeps them.
function structuredCloneWithFunctions(value: any): any {
  if (Array.isArray(value)) return value.map(structuredCloneWithFunctions);
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneWithFunctions(v)]));
  }
  return value;
}

const messages = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`);

describe('validateConnector', () => {
  test('a complete, valid definition has no problems', () => {
    expect(validateConnector(valid)).toEqual([]);
    expect(validateConnector({ title: 'Minimal' })).toEqual([]);
  });

  test.each([[null], [[]], ['connector'], [42]])('a non-object definition (%j) is one problem at (root)', (def) => {
    expect(validateConnector(def)).toEqual([{ path: '(root)', message: expect.stringMatching(/^must be an object/) }]);
  });

  test('reports every problem at once, each with its path', () => {
    const problems = messages(
      validateConnector({
        title: 42,
        actions: { create_contact: { execute: 'not a function', inputFields: [{ type: 'integer' }] } },
        pickLists: { colors: [['Red', 'red']] },
      }),
    );
    expect(problems).toEqual([
      'title: is required and must be a string',
      'pickLists.colors: must be a function, got an array',
      'actions.create_contact.execute: must be a function, got "not a function"',
      'actions.create_contact.inputFields[0].name: is required',
    ]);
  });

  test('a missing title or execute is reported', () => {
    expect(messages(validateConnector({ actions: { a: {} } }))).toEqual([
      'title: is required and must be a string',
      'actions.a.execute: is required and must be a function',
    ]);
  });

  test('lambdas of the definition must be functions', () => {
    const problems = messages(
      validateConnector(
        clone((d) => {
          d.test = 'yes';
          d.webhookKeys = {};
          d.methods.normalize_phone = 1;
          d.streams.download = null;
          d.objectDefinitions.contact.fields = [{ name: 'x' }];
          d.connection.baseUri = 'https://api.acme.test';
        }),
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'test: must be a function, got "yes"',
        'webhookKeys: must be a function, got an object',
        'methods.normalize_phone: must be a function, got 1',
        'streams.download: must be a function, got null',
        'objectDefinitions.contact.fields: must be a function returning fields, got an array',
        'connection.baseUri: must be a function, got "https://api.acme.test"',
      ]),
    );
  });

  test('unknown top-level keys get typo and camelCase hints', () => {
    const problems = messages(validateConnector({ title: 'x', actons: {}, pick_lists: {}, colour: 1 }));
    expect(problems).toEqual([
      'actons: unknown key; did you mean `actions`?',
      'pick_lists: unknown key; keys are camelCase: did you mean `pickLists`?',
      expect.stringMatching(/^colour: unknown key \(expected one of name, title/),
    ]);
  });

  test('snake_case keys of actions, triggers and fields point to their camelCase names', () => {
    const problems = messages(
      validateConnector({
        title: 'x',
        actions: { a: { execute: fn, input_fields: [], output_fields: fn } },
        triggers: { t: { poll: fn, sample_output: {} } },
        objectDefinitions: { o: { fields: fn, feilds: fn } },
        connection: { fields: [{ name: 'f', control_type: 'text' }], base_uri: fn },
      }),
    );
    expect(problems).toEqual([
      'connection.base_uri: unknown key; keys are camelCase: did you mean `baseUri`?',
      'connection.fields[0].control_type: unknown field attribute; keys are camelCase: did you mean `controlType`?',
      'actions.a.input_fields: unknown key; keys are camelCase: did you mean `inputFields`?',
      'actions.a.output_fields: unknown key; keys are camelCase: did you mean `outputFields`?',
      'triggers.t.sample_output: unknown key; keys are camelCase: did you mean `sampleOutput`?',
      'objectDefinitions.o.feilds: unknown key; did you mean `fields`?',
    ]);
  });

  describe('fields', () => {
    const withInputs = (inputFields: unknown, extra: (d: any) => void = () => {}) =>
      messages(
        validateConnector(
          clone((d) => {
            d.actions.create_contact.inputFields = inputFields;
            extra(d);
          }),
        ),
      );

    test('type, of, controlType and listMode must be known', () => {
      expect(
        withInputs([
          { name: 'a', type: 'int' },
          { name: 'b', type: 'array', of: 'list' },
          { name: 'c', controlType: 'dropdown' },
          { name: 'd', listMode: 'free' },
        ]),
      ).toEqual([
        'actions.create_contact.inputFields[0].type: must be one of string, integer, number, boolean, date, date_time, timestamp, object, array (got "int")',
        'actions.create_contact.inputFields[1].of: must be one of string, integer, number, boolean, date, date_time, timestamp, object (got "list")',
        expect.stringMatching(
          /^actions\.create_contact\.inputFields\[2\]\.controlType: must be one of text, text-area, .* \(got "dropdown"\)$/,
        ),
        'actions.create_contact.inputFields[3].listMode: must be one of static, dynamic (got "free")',
      ]);
    });

    test('names are required, non-empty and unique within one list', () => {
      expect(withInputs([{ name: 'a' }, { label: 'B' }, { name: '' }, { name: 'a' }, 'field'])).toEqual([
        'actions.create_contact.inputFields[1].name: is required',
        'actions.create_contact.inputFields[2].name: must be a non-empty string, got ""',
        'actions.create_contact.inputFields[3].name: duplicate field name "a" (also at [0])',
        'actions.create_contact.inputFields[4]: must be a field object, got "field"',
      ]);
    });

    test('properties belong to object and array fields, and are checked too', () => {
      expect(
        withInputs([
          { name: 'a', type: 'string', properties: [{ name: 'x' }] },
          { name: 'b', type: 'object', properties: [{ name: 'x', type: 'bogus' }] },
          { name: 'c', type: 'array', properties: 'x' },
        ]),
      ).toEqual([
        'actions.create_contact.inputFields[0].properties: only object and array fields have properties (this field\'s type is "string")',
        expect.stringMatching(/^actions\.create_contact\.inputFields\[1\]\.properties\[0\]\.type: must be one of/),
        'actions.create_contact.inputFields[2].properties: must be an array of fields, got "x"',
      ]);
    });

    test('a pick list name must exist; inline lists must be pairs', () => {
      expect(
        withInputs([
          { name: 'a', pickList: 'colours' },
          { name: 'b', pickList: [['Red', 'red'], 'blue'] },
          { name: 'c', options: 'x' },
        ]),
      ).toEqual([
        'actions.create_contact.inputFields[0].pickList: names a pick list "colours" that the connector does not define (pick lists: objects, countries, states)',
        'actions.create_contact.inputFields[1].pickList[1]: must be a [label, value] pair, got "blue"',
        'actions.create_contact.inputFields[2].options: must be an array of [label, value] pairs, got "x"',
      ]);
      expect(
        messages(validateConnector({ title: 'x', connection: { fields: [{ name: 'a', pickList: 'p' }] } })),
      ).toEqual([
        'connection.fields[0].pickList: names a pick list "p" that the connector does not define (the connector defines no pick lists)',
      ]);
    });

    test('pickListParams must name sibling fields (or config fields)', () => {
      expect(
        withInputs([
          { name: 'country' },
          { name: 'state', pickList: 'states', pickListParams: { country: 'country', object: 'object', zone: 'zone' } },
        ]),
      ).toEqual([
        'actions.create_contact.inputFields[1].pickListParams.zone: names field "zone", which is not a sibling field (fields here: country, state, object)',
      ]);
    });

    test('ngIf must parse', () => {
      expect(withInputs([{ name: 'a', ngIf: 'input.kind = "x"' }])).toEqual([
        'actions.create_contact.inputFields[0].ngIf: Invalid ngIf expression "input.kind = "x"": unexpected "=" at position 12',
      ]);
    });

    test('convertInput and convertOutput must name a conversion or a method', () => {
      expect(
        withInputs([
          { name: 'a', convertInput: 'integer_conversion' },
          { name: 'b', convertInput: 'normalize_phone' },
          { name: 'c', convertInput: 'normalise_phone' },
          { name: 'd', convertOutput: 5 },
        ]),
      ).toEqual([
        expect.stringMatching(
          /^actions\.create_contact\.inputFields\[2\]\.convertInput: "normalise_phone" names neither a named conversion \(integer_conversion, .*\) nor a method \(methods: normalize_phone\)$/,
        ),
        'actions.create_contact.inputFields[3].convertOutput: must be a string, got 5',
      ]);
    });

    test('toggle fields are checked as fields', () => {
      expect(withInputs([{ name: 'a', toggleField: { type: 'int' } }])).toEqual([
        'actions.create_contact.inputFields[0].toggleField.name: is required',
        expect.stringMatching(/^actions\.create_contact\.inputFields\[0\]\.toggleField\.type: must be one of/),
      ]);
    });

    test('field lambdas are not checked; other non-lists are', () => {
      expect(withInputs(fn)).toEqual([]);
      expect(withInputs({ name: 'a' })).toEqual([
        'actions.create_contact.inputFields: must be an array of fields or a function returning one, got an object',
      ]);
      expect(withInputs([], (d) => (d.actions.create_contact.configFields = fn))).toEqual([
        'actions.create_contact.configFields: must be an array of fields, got a function',
      ]);
    });

    test('scalar attributes have their types', () => {
      expect(withInputs([{ name: 'a', optional: 'yes', label: 1, delimiter: '', schema: 'x' }])).toEqual([
        'actions.create_contact.inputFields[0].label: must be a string, got 1',
        'actions.create_contact.inputFields[0].optional: must be true or false, got "yes"',
        'actions.create_contact.inputFields[0].schema: must be an object of JSON Schema keywords, got "x"',
        'actions.create_contact.inputFields[0].delimiter: must be a non-empty string, got ""',
      ]);
    });
  });

  describe('actions and triggers', () => {
    test('maxRetries must be 0 to 3 and retryOnRequest must name HTTP methods', () => {
      const action = (extra: object) => ({ title: 'x', actions: { a: { execute: fn, ...extra } } });
      expect(messages(validateConnector(action({ maxRetries: 4 })))).toEqual([
        'actions.a.maxRetries: must be an integer from 0 to 3, got 4',
      ]);
      expect(messages(validateConnector(action({ maxRetries: -1 })))).toHaveLength(1);
      expect(messages(validateConnector(action({ maxRetries: 1.5 })))).toHaveLength(1);
      expect(messages(validateConnector(action({ retryOnRequest: ['get', 'fetch'], retryOnResponse: [{}] })))).toEqual([
        'actions.a.retryOnResponse[0]: must be a status code, a regular expression or a string, got an object',
        'actions.a.retryOnRequest[1]: unknown HTTP method "fetch" (one of GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD)',
      ]);
    });

    test('a trigger needs poll or webhookNotification; dedup and webhook lambdas are functions', () => {
      const problems = messages(
        validateConnector({
          title: 'x',
          triggers: {
            none: { dedup: fn },
            bad: { poll: fn, dedup: 'id', webhookSubscribe: 1, webhookPayloadType: 'xml', webhookResponseStatus: 700 },
          },
        }),
      );
      expect(problems).toEqual([
        'triggers.none: needs `poll` or `webhookNotification` (or both)',
        'triggers.bad.dedup: must be a function, got "id"',
        'triggers.bad.webhookSubscribe: must be a function, got 1',
        'triggers.bad.webhookPayloadType: must be one of json, raw (got "xml")',
        'triggers.bad.webhookResponseStatus: must be an HTTP status code (100-599), got 700',
      ]);
    });

    test('webhookRefreshSeconds is a number of seconds and needs webhookRefresh', () => {
      const hook = { webhookNotification: fn, webhookSubscribe: fn };
      expect(
        messages(
          validateConnector({
            title: 'x',
            triggers: {
              ok: { ...hook, webhookRefresh: fn, webhookRefreshSeconds: 3600 },
              zero: { ...hook, webhookRefresh: fn, webhookRefreshSeconds: 0 },
              alone: { ...hook, webhookRefreshSeconds: 60 },
            },
          }),
        ),
      ).toEqual([
        'triggers.zero.webhookRefreshSeconds: must be a number of seconds (at least 1), got 0',
        'triggers.alone.webhookRefreshSeconds: is set but the trigger has no `webhookRefresh` to run',
      ]);
    });

    test('actions, triggers and their entries must be objects', () => {
      expect(messages(validateConnector({ title: 'x', actions: [], triggers: { t: 'poll' } }))).toEqual([
        'actions: must be an object, got an array',
        'triggers.t: must be an object, got "poll"',
      ]);
    });
  });

  describe('connection.authorization', () => {
    const withAuth = (authorization: unknown) =>
      messages(validateConnector({ title: 'x', connection: { authorization } }));

    test('type must be known', () => {
      expect(withAuth({ type: 'bearer' })).toEqual([
        'connection.authorization.type: must be one of none, basic_auth, api_key, custom_auth, oauth2, aws_auth, multi (got "bearer")',
      ]);
      expect(withAuth({})).toEqual([
        'connection.authorization.type: is required (one of none, basic_auth, api_key, custom_auth, oauth2, aws_auth, multi)',
      ]);
    });

    test('lambdas, settings and matchers have their types; snake_case keys get hints', () => {
      expect(
        withAuth({
          type: 'oauth2',
          apply: 'x',
          tokenUrl: 5,
          grantType: 'implicit',
          refreshOn: 401,
          token_url: 'https://x',
          customSetting: 'free-form keys are fine',
        }),
      ).toEqual([
        'connection.authorization.token_url: keys are camelCase: did you mean `tokenUrl`?',
        'connection.authorization.apply: must be a function, got "x"',
        'connection.authorization.refreshOn: must be an array of status codes, regular expressions or strings, got 401',
        'connection.authorization.tokenUrl: must be a string or a function, got 5',
        'connection.authorization.grantType: must be one of authorization_code, client_credentials, password (got "implicit")',
      ]);
    });

    test('multi needs selected and options, and each option is checked', () => {
      expect(withAuth({ type: 'multi' })).toEqual([
        'connection.authorization.selected: is required and must be a function naming one of `options`, got nothing',
        'connection.authorization.options: is required: an object of named authorizations, got nothing',
      ]);
      expect(
        withAuth({
          type: 'multi',
          selected: fn,
          options: { key: { type: 'api_key', apply: fn }, oauth: { type: 'oauth3' }, nested: { type: 'multi' } },
        }),
      ).toEqual([
        'connection.authorization.options.oauth.type: must be one of none, basic_auth, api_key, custom_auth, oauth2, aws_auth (got "oauth3")',
        'connection.authorization.options.nested.type: must be one of none, basic_auth, api_key, custom_auth, oauth2, aws_auth (got "multi"); options of `multi` cannot be `multi`',
      ]);
    });
  });
});

describe('assertValidConnector', () => {
  test('returns a valid definition unchanged', () => {
    expect(assertValidConnector(valid)).toBe(valid);
  });

  test('throws a DefinitionError listing every problem', () => {
    let caught: unknown;
    try {
      assertValidConnector({ title: '', pickLists: { a: 1 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DefinitionError);
    const error = caught as DefinitionError;
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('  - title: is required and must be a string');
    expect(error.message).toContain('  - pickLists.a: must be a function, got 1');
  });
});

describe('key suggestions', () => {
  test('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('actions', 'actions')).toBe(0);
    expect(editDistance('actons', 'actions')).toBe(1);
    expect(editDistance('triggres', 'triggers')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('suggests camelCase spellings and near misses, nothing for far-off names', () => {
    const known = ['actions', 'triggers', 'pickLists', 'inputFields'];
    expect(suggestKey('input_fields', known)).toBe('inputFields');
    expect(suggestKey('PickLists', known)).toBe('pickLists');
    expect(suggestKey('triggres', known)).toBe('triggers');
    expect(suggestKey('zebra', known)).toBeUndefined();
  });
});
