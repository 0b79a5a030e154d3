/** Action plans, object definitions and pick lists → TypeScript source text. */
import type { ActionPlan, Binding } from './actions.js';
import {
  type Code,
  code,
  docComment,
  type Printable,
  type PrintableObject,
  print,
  propertyKey,
  quote,
  WIDTH,
} from './emit.js';
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

/**
 * `fields` as a value of `outputFields` or `fields:`: a literal array or a lambda. `base`: the
 * indentation of the property's line, `key`: the width of `name: ` before the value.
 */
export function fieldsValue(
  fields: readonly FieldNode[] | { definition: string },
  lambda: boolean,
  base = 0,
  key = 0,
): Printable {
  if (!Array.isArray(fields))
    return code(`(ctx) => ctx.objectDefinitions.${(fields as { definition: string }).definition}`);
  const { value, async } = fieldList(fields as FieldNode[]);
  if (async) return code(`async (ctx) => ${relative(print(value, base, base + key + 15), base)}`);
  return lambda ? code(`() => ${relative(print(value, base, base + key + 6), base)}`) : value;
}

/** Text printed at `base` made relative to it (Code is re-indented where it is printed). */
function relative(text: string, base: number): string {
  return base ? text.split(`\n${' '.repeat(base)}`).join('\n') : text;
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

function executeCode(plan: ActionPlan, indent: number): Code {
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
  const args = ['ctx', quote(plan.method), pathExpression(plan)];
  if (Object.values(parts).some((v) => v !== undefined))
    args.push(relative(print(parts, indent + 4, WIDTH), indent + 4));
  // `execute: (ctx) => ` after the property's indentation; a wrapped answer is `const x = await `.
  const at = indent + 2 + 'execute: (ctx) => '.length;
  if (plan.wrap === 'object') {
    const one = call(args, at);
    if (!one.includes('\n')) return code(`(ctx) => ${one}`);
    // A call that spans lines starts on its own line, as Biome writes it.
    return code(
      `(ctx) =>\n  ${call(args, indent + 6)
        .split('\n')
        .join('\n  ')}`,
    );
  }
  const body = call(args, indent + 4 + `const ${plan.wrap} = await `.length)
    .split('\n')
    .join('\n  ');
  return code(`async (ctx) => {\n  const ${plan.wrap} = await ${body};\n  return { ${plan.wrap} };\n}`);
}

/**
 * `send(...)` starting at column `at`: on one line; else hugging a last object argument; else
 * one argument per line. Lines are relative (re-indented where the code is printed).
 */
function call(args: string[], at: number): string {
  const last = args.at(-1) ?? '';
  const flatArgs = args.map((a, i) => (i === args.length - 1 && last.startsWith('{') ? flatObject(a) : a));
  const one = `send(${flatArgs.join(', ')})`;
  if (!one.includes('\n') && at + one.length + 1 <= WIDTH) return one;
  if (last.startsWith('{')) {
    const head = `send(${args.slice(0, -1).join(', ')}, {`;
    if (at + head.length <= WIDTH) return `send(${args.slice(0, -1).join(', ')}, ${last})`;
  }
  const lines = args.map((a) => {
    const flat = flatObject(a);
    const text = at + 2 + flat.length + 1 <= WIDTH ? flat : a;
    return `  ${text.split('\n').join('\n  ')},`;
  });
  return `send(\n${lines.join('\n')}\n)`;
}

/** An object printed over lines, as one line (for the one-line attempt). */
function flatObject(text: string): string {
  return text.includes('\n') ? text.replace(/\n\s*/g, ' ').replace(/,\s*}/g, ' }') : text;
}

/** One action as `defineAction({...})`. */
export function actionSource(plan: ActionPlan, indent: number): string {
  const body: Record<string, Printable> = {
    title: plan.title,
    description: plan.description,
    deprecated: plan.deprecated || undefined,
    inputFields: plan.inputFields.length ? fieldList(plan.inputFields).value : undefined,
    outputFields: plan.outputFields
      ? fieldsValue(plan.outputFields, false, indent + 2, 'outputFields: '.length)
      : undefined,
    execute: executeCode(plan, indent),
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
    .map(
      ([name, fields]) =>
        `${pad}${propertyKey(name)}: ${print({ fields: fieldsValue(fields, true, indent + 2, 'fields: '.length) }, indent)},\n`,
    )
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
