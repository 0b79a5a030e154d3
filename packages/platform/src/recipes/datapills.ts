/**
 * Datapills: the paths a formula reads from its scope (`trigger.customer.email`,
 * `steps.contact.id`, `item.sku`). Found by walking the JSONata syntax tree and keeping the
 * paths evaluated against the scope itself; paths inside predicates, path steps after the
 * first and other relative places read something else and are left alone.
 */
import type { ExprNode } from './formula.js';

export interface Datapill {
  /** The names along the path: `['trigger', 'customer', 'email']`. */
  names: string[];
  /** Character position in the expression, as JSONata reports it. */
  position?: number;
}

type Node = Record<string, any>;

/** Every datapill of an expression's syntax tree. */
export function datapillsOf(ast: ExprNode): Datapill[] {
  const found: Datapill[] = [];
  walk(ast as unknown as Node, true, found);
  return found;
}

function walkAll(nodes: unknown, root: boolean, found: Datapill[]): void {
  if (!Array.isArray(nodes)) return;
  for (const n of nodes) if (n && typeof n === 'object') walk(n as Node, root, found);
}

function walkStages(node: Node, found: Datapill[]): void {
  for (const stage of [...(node.stages ?? []), ...(node.predicate ?? [])]) {
    if (stage?.expr) walk(stage.expr, false, found);
  }
}

function walk(node: Node, root: boolean, found: Datapill[]): void {
  switch (node.type as string) {
    case 'name':
      walkPath({ type: 'path', steps: [node] }, root, found);
      return;
    case 'path':
      walkPath(node, root, found);
      return;
    case 'binary':
    case 'apply':
      walk(node.lhs as Node, root, found);
      walk(node.rhs as Node, root, found);
      return;
    case 'unary':
      if (node.value === '-') walk(node.expression, root, found);
      else if (node.value === '[') walkAll(node.expressions, root, found);
      else if (node.value === '{') for (const pair of (node.lhs as Node[][]) ?? []) walkAll(pair, root, found);
      return;
    case 'function':
    case 'partial':
      walkAll(node.arguments, root, found);
      if (node.procedure && node.procedure.type !== 'variable') walk(node.procedure, root, found);
      return;
    case 'condition':
      walk(node.condition, root, found);
      walk(node.then, root, found);
      if (node.else) walk(node.else, root, found);
      return;
    case 'block':
      walkAll(node.expressions, root, found);
      return;
    case 'bind':
      walk(node.rhs as Node, root, found);
      return;
    case 'lambda':
      // A lambda's body sees the input it was defined over.
      if (node.body) walk(node.body, root, found);
      return;
    case 'variable':
      walkStages(node, found);
      return;
    default:
      // Literals, wildcards, regexes, transforms: nothing read from the scope by name.
      return;
  }
}

function walkPath(node: Node, root: boolean, found: Datapill[]): void {
  const steps: Node[] = node.steps ?? [];
  let start = 0;
  let fromRoot = root;
  const first = steps[0];
  if (first?.type === 'variable' && (first.value === '$' || first.value === '')) {
    // `$$` is always the scope; `$` is the scope at the top of an expression.
    fromRoot = first.value === '$' || root;
    start = 1;
  }
  const names: string[] = [];
  let j = start;
  for (; j < steps.length && steps[j].type === 'name'; j++) names.push(String(steps[j].value));
  if (fromRoot && names.length) found.push({ names, position: steps[start].position });
  if (start === 0 && first && first.type !== 'name') walk(first, root, found);
  for (let k = Math.max(j, 1); k < steps.length; k++) walk(steps[k], false, found);
  for (const step of steps) walkStages(step, found);
  if (node.group) for (const pair of node.group.lhs ?? []) walkAll(pair, false, found);
}
