import type { ConnectorDefinition } from '@weft/sdk';
import { describe, expect, test } from 'vitest';
import crm from '../__fixtures__/connectors/crm/connector.js';
import chat from '../__fixtures__/recipe-connectors/chat/connector.js';
import shop from '../__fixtures__/recipe-connectors/shop/connector.js';
import { connectionsOf, connectorsOf, type RecipeContext, validateRecipe } from './validate.js';

const connectors: Record<string, ConnectorDefinition> = { shop, crm, chat } as any;
const connections: Record<string, { connector: string }> = {
  'shop-main': { connector: 'shop' },
  'crm-main': { connector: 'crm' },
};
const ctx: RecipeContext = { connector: (n) => connectors[n], connection: (n) => connections[n] };

const trigger = { connector: 'shop', connection: 'shop-main', trigger: 'new_order' };
const contact = (input: Record<string, unknown> = { email: '=trigger.customer.email' }, id = 'contact') => ({
  id,
  connector: 'crm',
  connection: 'crm-main',
  action: 'create_contact',
  input,
});
const post = (text: string, id = 'post') => ({ id, connector: 'chat', action: 'post_message', input: { text } });

function problems(recipe: Record<string, unknown>) {
  const result = validateRecipe({ name: 'r', trigger, ...recipe }, ctx);
  return result.ok ? [] : result.problems;
}
const paths = (recipe: Record<string, unknown>) => problems(recipe).map((p) => p.path);

describe('recipe validation', () => {
  test('accepts the SPEC example shape and fills in the defaults', () => {
    const result = validateRecipe(
      {
        name: 'New order to CRM',
        trigger: { ...trigger, input: { since: '2026-01-01T00:00:00Z' } },
        steps: [
          contact({ email: '=trigger.customer.email', age: '=$count(trigger.items)' }),
          {
            id: 'big',
            if: '=trigger.total > 100',
            then: [post('Big order {{trigger.id}} for {{steps.contact.id}}', 'alert')],
          },
          { id: 'lines', foreach: '=trigger.items', do: [post('=item.sku & " x" & item.qty', 'line')] },
          { id: 'done', stop: { error: false } },
        ],
        onError: [post('Failed: {{error.message}} on order {{trigger.id}}', 'report')],
      },
      ctx,
    );
    expect(result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.recipe.trigger.pollIntervalSeconds).toBe(300);
    expect(result.recipe.concurrency).toBe(1);
    expect(result.recipe.steps[1]).toMatchObject({ else: [] });
    expect(result.recipe.steps[2]).toMatchObject({ as: 'item' });
    expect(connectorsOf(result.recipe)).toEqual(['chat', 'crm', 'shop']);
    expect(connectionsOf(result.recipe)).toEqual(['crm-main', 'shop-main']);
  });

  test('unknown connector, connection, trigger and action, each with its path', () => {
    expect(paths({ trigger: { ...trigger, connector: 'nope' }, steps: [] })).toEqual(['trigger.connector']);
    expect(paths({ trigger: { ...trigger, trigger: 'nope' }, steps: [] })).toEqual(['trigger.trigger']);
    expect(paths({ trigger: { ...trigger, connection: 'nope' }, steps: [] })).toEqual(['trigger.connection']);
    expect(paths({ steps: [post('x'), { ...contact(), action: 'nope' }] })).toEqual(['steps[1].action']);
    expect(paths({ steps: [{ ...contact(), connector: 'nope' }] })).toEqual(['steps[0].connector']);
    const wrong = problems({ steps: [{ ...contact(), connection: 'shop-main' }] });
    expect(wrong).toEqual([
      { path: 'steps[0].connection', message: expect.stringContaining('is for connector "shop", not "crm"') },
    ]);
    // A connector with a connection needs one; one without (chat) does not.
    const { connection: _c, ...noConnection } = contact();
    expect(paths({ steps: [noConnection, post('hi')] })).toEqual(['steps[0].connection']);
  });

  test('step ids are unique across the recipe, nested steps and onError included', () => {
    expect(
      paths({ steps: [post('a', 'x'), { id: 'b', if: true, then: [post('b', 'x')] }], onError: [post('c', 'x')] }),
    ).toEqual(['steps[1].then[0].id', 'onError[0].id']);
    expect(paths({ steps: [post('a', 'bad-id')] })).toEqual(['steps[0].id']);
  });

  test('formulas are compiled: a syntax error has the path of the value', () => {
    const [p] = problems({ steps: [contact({ email: '=trigger.customer.(' })] });
    expect(p).toEqual({
      path: 'steps[0].input.email',
      message: expect.stringMatching(/^formula "trigger.customer.\(" does not parse/),
    });
    expect(paths({ steps: [post('Hi {{ trigger.id + }}')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [{ id: 'c', if: '=trigger.total >', then: [] }] })).toEqual(['steps[0].if']);
    expect(paths({ steps: [{ id: 'c', if: 'yes', then: [] }] })).toEqual(['steps[0].if']);
  });

  test('a datapill nothing declares is rejected with the path of the value', () => {
    const [p] = problems({ steps: [contact({ email: '=trigger.customer.mail' })] });
    expect(p.path).toBe('steps[0].input.email');
    expect(p.message).toContain('"trigger.customer.mail" is not declared');
    expect(p.message).toContain('email, name');
    expect(paths({ steps: [post('{{trigger.nope}}')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [post('=trigger.total.cents')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [post('=trigger.tags.x')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [post('=trigger.items.nope')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [contact(), post('=steps.contact.nope')] })).toEqual(['steps[1].input.text']);
    expect(paths({ steps: [post('=foo.bar')] })).toEqual(['steps[0].input.text']);
  });

  test('declared datapills, relative paths and dynamic fields are accepted', () => {
    const ok = [
      '=trigger.items.sku',
      '=trigger.items[qty > 1].sku',
      '=trigger.items[0].qty',
      '=trigger.meta.anything.below',
      '=trigger',
      '=$map(trigger.items, function($i) { $i.sku })',
      '=trigger.items.{ "s": sku, "q": qty }',
      '=$$.trigger.id',
      '=$sum(trigger.items.qty) > 2 ? "many" : trigger.customer.name',
      '=steps',
      '=steps.contact.id',
    ];
    for (const text of ok) expect(problems({ steps: [contact(), post(text)] }), text).toEqual([]);
    const dynamic = {
      trigger: { ...trigger, trigger: 'dynamic_order' },
      steps: [
        {
          id: 'order',
          connector: 'shop',
          connection: 'shop-main',
          action: 'get_order',
          input: { id: '=trigger.whatever.deep' },
        },
        post('=steps.order.anything.at.all'),
      ],
    };
    expect(problems(dynamic)).toEqual([]);
  });

  test('steps only see earlier action steps; item only inside foreach; error only in onError', () => {
    const later = problems({ steps: [post('=steps.contact.id'), contact()] });
    expect(later).toEqual([{ path: 'steps[0].input.text', message: expect.stringContaining('does not run before') }]);
    const ifOutput = problems({ steps: [{ id: 'cond', if: true, then: [] }, post('=steps.cond.x')] });
    expect(ifOutput[0].message).toContain('not an action step');
    expect(problems({ steps: [post('=steps.ghost')] })[0].message).toContain('no step "ghost"');
    expect(paths({ steps: [post('=item.sku')] })).toEqual(['steps[0].input.text']);
    expect(
      paths({ steps: [{ id: 'l', foreach: '=trigger.items', as: 'line', do: [post('=line.sku & item.sku')] }] }),
    ).toEqual(['steps[0].do[0].input.text']);
    expect(paths({ steps: [post('=error.message')] })).toEqual(['steps[0].input.text']);
    expect(paths({ steps: [contact()], onError: [post('=error.message & steps.contact.id')] })).toEqual([]);
    expect(paths({ trigger: { ...trigger, input: { since: '=trigger.id' } }, steps: [] })).toEqual([
      'trigger.input.since',
    ]);
    expect(paths({ trigger: { ...trigger, input: { since: '=$now()' } }, steps: [] })).toEqual([]);
  });

  test('static input fields: required values present, no unknown keys', () => {
    expect(problems({ steps: [contact({})] })).toEqual([
      { path: 'steps[0].input.email', message: 'is required by crm.create_contact' },
    ]);
    expect(paths({ steps: [contact({ email: 'a@b.c', emial: 'x' })] })).toEqual(['steps[0].input.emial']);
    expect(paths({ trigger: { ...trigger, input: { sinse: 'x' } }, steps: [] })).toEqual(['trigger.input.sinse']);
  });

  test('the JSON shape, every problem reported', () => {
    expect(validateRecipe([], ctx)).toEqual({
      ok: false,
      problems: [{ path: '', message: 'a recipe must be a JSON object, not an array' }],
    });
    expect(paths({ name: undefined, steps: [] })).toEqual(['name']);
    expect(paths({ steps: {} })).toEqual(['steps']);
    expect(paths({ steps: [], trigger: 'shop' })).toEqual(['trigger']);
    expect(paths({ steps: [], trigger: { ...trigger, pollIntervalSeconds: 0 } })).toEqual([
      'trigger.pollIntervalSeconds',
    ]);
    expect(paths({ steps: [], trigger: { ...trigger, pollIntervalSeconds: 1 } })).toEqual([]);
    expect(paths({ steps: [], concurrency: 'x' })).toEqual(['concurrency']);
    expect(paths({ steps: [], stepz: [] })).toEqual(['stepz']);
    expect(paths({ steps: [{ id: 'a' }] })).toEqual(['steps[0]']);
    expect(paths({ steps: [{ id: 'a', action: 'x', if: true }] })).toEqual(['steps[0]']);
    expect(paths({ steps: [{ id: 's', stop: { error: 'yes' } }] })).toEqual(['steps[0].stop.error']);
    expect(paths({ steps: [{ ...contact(), input: [] }] })).toEqual(['steps[0].input']);
    expect(paths({ steps: [{ id: 'l', foreach: '=trigger.items', as: 'trigger', do: [] }] })).toEqual(['steps[0].as']);
    // Read-only keys of a GET are accepted, so a recipe can be fetched, edited and PUT back.
    expect(paths({ steps: [], id: 'rcp_1', status: 'running', webhookUrl: 'http://x' })).toEqual([]);
    expect(
      paths({
        trigger: { ...trigger, connector: 'nope' },
        steps: [{ ...contact(), action: 'nope' }, post('=trigger.(')],
        concurrency: 0,
      }),
    ).toEqual(['trigger.connector', 'steps[0].action', 'steps[1].input.text', 'concurrency']);
  });
});
