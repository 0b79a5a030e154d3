/**
 * `ngIf` expressions, evaluated like the SDK does (packages/sdk/src/schema/ngif.ts): a small,
 * safe language of paths, literals, comparisons, `!`, `&&`, `||` and parentheses. A malformed
 * expression shows the field (the server reports the definition error).
 */

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; segments: (string | number)[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'logical'; op: '&&' | '||'; left: Node; right: Node }
  | { kind: 'compare'; op: string; left: Node; right: Node };

type Token =
  | { t: 'op'; v: string }
  | { t: 'name'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'end' };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.', '[', ']', '-'];
const COMPARE = ['==', '!=', '===', '!==', '<', '<=', '>', '>='];
const KEYWORDS: Record<string, unknown> = { true: true, false: false, null: null, undefined: undefined };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        value += src[i];
        i++;
      }
      if (i >= src.length) throw new Error('unterminated string');
      i++;
      tokens.push({ t: 'string', v: value });
      continue;
    }
    const number = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (number) {
      tokens.push({ t: 'number', v: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected "${c}"`);
    tokens.push({ t: 'op', v: op });
    i += op.length;
  }
  tokens.push({ t: 'end' });
  return tokens;
}

function parse(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => {
    const tok = peek();
    return tok.t === 'op' && tok.v === v;
  };
  const fail = (): never => {
    throw new Error(`invalid ngIf expression "${src}"`);
  };
  const or = (): Node => {
    let left = and();
    while (isOp('||')) {
      pos++;
      left = { kind: 'logical', op: '||', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = comparison();
    while (isOp('&&')) {
      pos++;
      left = { kind: 'logical', op: '&&', left, right: comparison() };
    }
    return left;
  };
  const comparison = (): Node => {
    const left = unary();
    const tok = peek();
    if (tok.t === 'op' && COMPARE.includes(tok.v)) {
      pos++;
      return { kind: 'compare', op: tok.v, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp('!')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    if (isOp('-')) {
      pos++;
      const tok = peek();
      if (tok.t !== 'number') fail();
      pos++;
      return { kind: 'literal', value: -(tok as { v: number }).v };
    }
    return primary();
  };
  const primary = (): Node => {
    const tok = peek();
    pos++;
    if (tok.t === 'string' || tok.t === 'number') return { kind: 'literal', value: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = or();
      if (!isOp(')')) fail();
      pos++;
      return inner;
    }
    if (tok.t === 'name') {
      if (Object.hasOwn(KEYWORDS, tok.v)) return { kind: 'literal', value: KEYWORDS[tok.v] };
      const segments: (string | number)[] = [tok.v];
      for (;;) {
        if (isOp('.')) {
          pos++;
          const name = peek();
          if (name.t !== 'name') fail();
          pos++;
          segments.push((name as { v: string }).v);
        } else if (isOp('[')) {
          pos++;
          const key = peek();
          if (key.t !== 'string' && key.t !== 'number') fail();
          pos++;
          if (!isOp(']')) fail();
          pos++;
          segments.push((key as { v: string | number }).v);
        } else return { kind: 'path', segments };
      }
    }
    return fail();
  };
  if (peek().t === 'end') fail();
  const node = or();
  if (peek().t !== 'end') fail();
  return node;
}

function readPath(scope: unknown, segments: (string | number)[]): unknown {
  let current = scope;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = String(segment);
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(a) && scalar(b) && String(a) === String(b);
}

function order(a: unknown, b: unknown): number | undefined {
  if (a == null || b == null) return undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = Number(a);
  const nb = Number(b);
  if ((typeof a === 'number' || typeof b === 'number') && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function evaluate(node: Node, scope: Record<string, unknown>): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return readPath(scope, node.segments);
    case 'not':
      return !evaluate(node.operand, scope);
    case 'logical': {
      const left = evaluate(node.left, scope);
      if (node.op === '&&') return left ? evaluate(node.right, scope) : left;
      return left ? left : evaluate(node.right, scope);
    }
    case 'compare': {
      const a = evaluate(node.left, scope);
      const b = evaluate(node.right, scope);
      if (node.op === '===') return a === b;
      if (node.op === '!==') return a !== b;
      if (node.op === '==') return looseEquals(a, b);
      if (node.op === '!=') return !looseEquals(a, b);
      const cmp = order(a, b);
      if (cmp === undefined || Number.isNaN(cmp)) return false;
      if (node.op === '<') return cmp < 0;
      if (node.op === '<=') return cmp <= 0;
      if (node.op === '>') return cmp > 0;
      return cmp >= 0;
    }
  }
}

const cache = new Map<string, Node | null>();

/** Whether a field with this `ngIf` is shown; true when the expression does not parse. */
export function ngIfHolds(expression: string | undefined, scope: Record<string, unknown>): boolean {
  if (!expression) return true;
  let node = cache.get(expression);
  if (node === undefined) {
    try {
      node = parse(expression);
    } catch {
      node = null;
    }
    cache.set(expression, node);
  }
  return node === null ? true : Boolean(evaluate(node, scope));
}
