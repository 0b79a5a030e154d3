/**
 * What an `ngIf` expression refers to, and whether those fields exist. One rule everywhere:
 * `input.<field>` names any config or input field of the operation (what `ctx.input` holds),
 * `config.<field>` (or `configFields.<field>`) a config field, `connection.<field>` a
 * connection field. A name that no field has is a definition error, never a hidden field.
 */
import { WeftError } from '../errors.js';
import { type NgIfNode, parseNgIf } from './ngif.js';

export const NGIF_ROOTS = ['input', 'config', 'configFields', 'connection'] as const;
export type NgIfRoot = (typeof NGIF_ROOTS)[number];

export interface NgIfReference {
  root: string;
  /** The field named after the root (`input.kind` → `kind`); absent for a bare root. */
  name?: string;
}

const cache = new Map<string, NgIfReference[]>();

/** The paths an expression reads, as root and first name (cached; throws when it does not parse). */
export function ngIfReferences(expression: string): NgIfReference[] {
  const hit = cache.get(expression);
  if (hit) return hit;
  const refs: NgIfReference[] = [];
  collect(parseNgIf(expression), refs);
  if (cache.size >= 1000) cache.clear();
  cache.set(expression, refs);
  return refs;
}

function collect(node: NgIfNode, refs: NgIfReference[]): void {
  switch (node.kind) {
    case 'path': {
      const [root, name] = node.segments;
      refs.push(name === undefined ? { root: String(root) } : { root: String(root), name: String(name) });
      return;
    }
    case 'not':
      collect(node.operand, refs);
      return;
    case 'logical':
    case 'compare':
      collect(node.left, refs);
      collect(node.right, refs);
      return;
  }
}

/**
 * The names each root may use; a root left out is not checked (e.g. the connection's fields
 * while input is processed, or `input` of computed input fields when validating statically).
 */
export interface NgIfNames {
  input?: readonly string[] | ReadonlySet<string>;
  config?: readonly string[] | ReadonlySet<string>;
  connection?: readonly string[] | ReadonlySet<string>;
}

const has = (names: readonly string[] | ReadonlySet<string>, name: string) =>
  Array.isArray(names) ? names.includes(name) : (names as ReadonlySet<string>).has(name);

const list = (names: readonly string[] | ReadonlySet<string>) => {
  const all = [...names];
  return all.length ? all.join(', ') : 'none';
};

/** The problems of one expression: unknown roots and names no field has (empty when fine). */
export function ngIfProblems(expression: string, names: NgIfNames): string[] {
  const problems: string[] = [];
  for (const { root, name } of ngIfReferences(expression)) {
    if (!(NGIF_ROOTS as readonly string[]).includes(root)) {
      problems.push(
        `"${root}" is not something ngIf can read: write input.${root} (a config or input field), config.${root} or connection.${root}`,
      );
      continue;
    }
    if (name === undefined) continue;
    const scope = root === 'configFields' ? 'config' : (root as 'input' | 'config' | 'connection');
    const known = names[scope];
    if (!known || has(known, name)) continue;
    const what = scope === 'input' ? 'config or input field' : `${scope} field`;
    problems.push(`${root}.${name}: no ${what} is called "${name}" (known: ${list(known)})`);
  }
  return problems;
}

/** Throws the first problem of an expression as a definition error naming the field. */
export function assertNgIfNames(expression: string, names: NgIfNames, field: string): void {
  const problems = ngIfProblems(expression, names);
  if (!problems.length) return;
  throw new WeftError(
    'DEFINITION_INVALID',
    `The ngIf of field "${field}" ("${expression}") refers to an unknown field: ${problems[0]}`,
    { details: { expression, field, problems } },
  );
}
