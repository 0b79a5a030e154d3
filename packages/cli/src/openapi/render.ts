/** Action plans, object definitions and pick lists → TypeScript source text. */
import type { ActionPlan, Binding } from './actions.js';
import { Code, code, docComment, type Printable, type PrintableObject, print, propertyKey, quote } from './emit.js';
import type { FieldNode } from './fields.js';
import type { PickListValue } from './pick-lists.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const input = (field: string) => (IDENTIFIER.test(field) ? `ctx.input.${field}` : `ctx.input[${quote(field)}]`);

/** A field list as printable data; `async` tells whether it awaits object definitions. */
export function fieldList(nodes: readonly FieldNode[]): { value: Printable[]; async: boolean } {
  let async = false;
  const convert = (node: FieldNode): PrintableObject => {
    const { properties, ...rest } = node;
    if (properties === undefined) return rest;
    if (Array.isArray(properties)) return { ...rest, properties: properties.map(convert) };
    async = true;
    return { ...rest, properties: code(`await ctx.objectDefinitions.${properties.definition}`) };
  };
  const value = nodes.map(convert);
  return { value, async };
}

/** `fields` as a value of `outputFields` or `fields:`: a literal array or a lambda. */
export function fieldsValue(fields: readonly FieldNode[] | { definition: string }, lambda: boolean, used = 0): Printable {
  if (!Array.isArray(fields)) return code(`(ctx) => ctx.objectDefinitions.${(fields as { definition: string }).definition}`);
  const { value, async } = fieldList(fields as FieldNode[]);
  if (async) return code(`async (ctx) => ${print(value, 0, used + 15)}`);
  return lambda ? code(`() => ${print(value, 0, used + 6)}`) : value;
}

function pathExpression(plan: ActionPlan): string {
  const relative = plan.path.replace(/^\/+/, '');
  if (!plan.pathFields.length) return quote(relative);
  const escaped = relative.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${');
  const filled = escaped.replace(/\{([^}]+)\}/g, (whole, wire: string) => {
    const binding = plan.pathFields.find((b) => b.wire === wire);
    return binding ? `\${segment(${input(binding.field)})}` : whole;
  });
  return `\`${filled}\``;
}

const bindings = (list: Binding[]): PrintableObject | undefined =>
  list.length ? Object.fromEntries(list.map((b) => [b.wire, code(input(b.field))])) : undefined;

function executeCode(plan: ActionPlan): Code {
  const parts: Record<string, Printable> = {
    query: bindings(plan.query),
    headers: bindings(plan.headers),
    cookies: bindings(plan.cookies),
  };
  if (plan.body) {
    parts.body = 'whole' in plan.body ? code(input(plan.body.whole)) : bindings(plan.body.fields);
    if (plan.body.format !== 'json') parts.format = plan.body.format;
    if (plan.body.format === 'raw') parts.contentType = plan.body.contentType;
  }
  if (plan.rawResponse) parts.response = 'raw';
  const args = [quote(plan.method), pathExpression(plan)];
  const hasParts = Object.values(parts).some((v) => v !== undefined);
  const head = `send(ctx, ${args.join(', ')}`;
  if (plan.wrap === 'object') {
    const call = hasParts ? `${head}, ${print(parts, 0, head.length + 24)})` : `${head})`;
    return code(`(ctx) => ${call}`);
  }
  const call = hasParts ? `${head}, ${print(parts, 2, head.length + 24)})` : `${head})`;
  return code(`async (ctx) => {\n  const ${plan.wrap} = await ${call};\n  return { ${plan.wrap} };\n}`);
}

/** One action as `defineAction({...})`. */
export function actionSource(plan: ActionPlan, indent: number): string {
  const body: Record<string, Printable> = {
    title: plan.title,
    description: plan.description,
    deprecated: plan.deprecated || undefined,
    inputFields: plan.inputFields.length ? fieldList(plan.inputFields).value : undefined,
    outputFields: plan.outputFields ? fieldsValue(plan.outputFields, false, indent + 16) : undefined,
    execute: executeCode(plan),
  };
  return `defineAction(${print(body, indent, indent + 40)})`;
}

/** `name: defineAction({...}),` entries for an object literal at `indent`. */
export function actionEntries(plans: readonly ActionPlan[], indent: number): string {
  const pad = ' '.repeat(indent);
  return plans
    .map((plan) => {
      const comment = docComment(`${plan.method.toUpperCase()} ${plan.path}`, indent);
      return `${comment}${pad}${propertyKey(plan.name)}: ${actionSource(plan, indent)},\n`;
    })
    .join('');
}

export function definitionEntries(definitions: readonly [string, FieldNode[]][], indent: number): string {
  const pad = ' '.repeat(indent);
  return definitions
    .map(([name, fields]) => `${pad}${propertyKey(name)}: ${print({ fields: fieldsValue(fields, true, indent + 10) }, indent)},\n`)
    .join('');
}

export function pickListEntries(lists: readonly [string, [string, PickListValue][]][], indent: number): string {
  const pad = ' '.repeat(indent);
  return lists
    .map(([name, options]) => {
      const head = `${pad}${propertyKey(name)}: () => `;
      return `${head}${print(options, indent, head.length)},\n`;
    })
    .join('');
}
