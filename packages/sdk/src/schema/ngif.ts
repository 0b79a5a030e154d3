/**
 * `ngIf` expressions: a small, safe expression language evaluated without `eval`.
 *
 * Grammar (lowest precedence first):
 *   expr       := or
 *   or         := and ( '||' and )*
 *   and        := comparison ( '&&' comparison )*
 *   comparison := unary ( ( '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=' ) unary )?
 *   unary      := '!' unary | primary
 *   primary    := literal | path | '(' expr ')'
 *   path       := name ( '.' name | '[' ( number | string ) ']' )*
 *   literal    := 'single' | "double" | number | true | false | null | undefined
 *
 * Paths read own properties only (never prototypes); an unknown path is `undefined`.
 * `==` / `!=` compare loosely: `null == undefined`, and a number equals its string form.
 */
import { WeftError } from '../errors.js';

export type NgIfNode =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; segments: (string | number)[] }
  | { kind: 'not'; operand: NgIfNode }
  | { kind: 'logical'; op: '&&' | '||'; left: NgIfNode; right: NgIfNode }
  | { kind: 'compare'; op: CompareOp; left: NgIfNode; right: NgIfNode };

type CompareOp = '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=';

type Token =
  | { t: 'op'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: number; at: number }
  | { t: 'end'; at: number };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.', '[', ']', '-'];

function fail(expression: string, reason: string): never {
  throw new WeftError('DEFINITION_INVALID', `Invalid ngIf expression "${expression}": ${reason}`, {
    details: { expression },
  });
}

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
      const start = i;
      let value = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        value += src[i];
        i++;
      }
      if (i >= src.length) fail(src, `unterminated string starting at position ${start + 1}`);
      i++;
      tokens.push({ t: 'string', v: value, at: start });
      continue;
    }
    const number = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (number) {
      tokens.push({ t: 'number', v: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) fail(src, `unexpected "${c}" at position ${i + 1}`);
    tokens.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  tokens.push({ t: 'end', at: src.length });
  return tokens;
}

const KEYWORDS: Record<string, unknown> = { true: true, false: false, null: null, undefined: undefined };

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): NgIfNode {
    if (this.peek().t === 'end') fail(this.src, 'the expression is empty');
    const node = this.or();
    const next = this.peek();
    if (next.t !== 'end') this.unexpected(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private isOp(v: string): boolean {
    const tok = this.peek();
    return tok.t === 'op' && tok.v === v;
  }

  private unexpected(tok: Token): never {
    if (tok.t === 'end') fail(this.src, 'unexpected end of expression');
    const shown = tok.t === 'string' ? `string ${JSON.stringify(tok.v)}` : `"${tok.v}"`;
    fail(this.src, `unexpected ${shown} at position ${tok.at + 1}`);
  }

  private or(): NgIfNode {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      left = { kind: 'logical', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): NgIfNode {
    let left = this.comparison();
    while (this.isOp('&&')) {
      this.pos++;
      left = { kind: 'logical', op: '&&', left, right: this.comparison() };
    }
    return left;
  }

  private comparison(): NgIfNode {
    const left = this.unary();
    const tok = this.peek();
    if (tok.t === 'op' && ['==', '!=', '===', '!==', '<', '<=', '>', '>='].includes(tok.v)) {
      this.pos++;
      return { kind: 'compare', op: tok.v as CompareOp, left, right: this.unary() };
    }
    return left;
  }

  private unary(): NgIfNode {
    if (this.isOp('!')) {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    if (this.isOp('-')) {
      this.pos++;
      const tok = this.peek();
      if (tok.t !== 'number') this.unexpected(tok);
      this.pos++;
      return { kind: 'literal', value: -tok.v };
    }
    return this.primary();
  }

  private primary(): NgIfNode {
    const tok = this.peek();
    this.pos++;
    if (tok.t === 'string' || tok.t === 'number') return { kind: 'literal', value: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = this.or();
      if (!this.isOp(')')) this.unexpected(this.peek());
      this.pos++;
      return inner;
    }
    if (tok.t === 'name') {
      if (Object.hasOwn(KEYWORDS, tok.v)) return { kind: 'literal', value: KEYWORDS[tok.v] };
      const segments: (string | number)[] = [tok.v];
      for (;;) {
        if (this.isOp('.')) {
          this.pos++;
          const name = this.peek();
          if (name.t !== 'name') this.unexpected(name);
          this.pos++;
          segments.push(name.v);
        } else if (this.isOp('[')) {
          this.pos++;
          const key = this.peek();
          if (key.t !== 'string' && key.t !== 'number') this.unexpected(key);
          this.pos++;
          if (!this.isOp(']')) this.unexpected(this.peek());
          this.pos++;
          segments.push(key.v);
        } else {
          return { kind: 'path', segments };
        }
      }
    }
    this.pos--;
    this.unexpected(tok);
  }
}

const cache = new Map<string, NgIfNode>();
const CACHE_LIMIT = 1000;

/** Parses an expression (cached); throws `WeftError('DEFINITION_INVALID')` naming it when malformed. */
export function parseNgIf(expression: string): NgIfNode {
  if (typeof expression !== 'string') fail(String(expression), 'must be a string');
  const hit = cache.get(expression);
  if (hit) return hit;
  const node = new Parser(expression, tokenize(expression)).parse();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expression, node);
  return node;
}

/** Evaluates an expression against a scope (`input`, `config`, `connection`); the result is truthiness. */
export function evaluateNgIf(expression: string, scope: Record<string, unknown>): boolean {
  return Boolean(evaluate(parseNgIf(expression), scope));
}

function readPath(scope: Record<string, unknown>, segments: (string | number)[]): unknown {
  let current: unknown = scope;
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

function evaluate(node: NgIfNode, scope: Record<string, unknown>): unknown {
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
      switch (node.op) {
        case '===':
          return a === b;
        case '!==':
          return a !== b;
        case '==':
          return looseEquals(a, b);
        case '!=':
          return !looseEquals(a, b);
        default: {
          const cmp = order(a, b);
          if (cmp === undefined || Number.isNaN(cmp)) return false;
          if (node.op === '<') return cmp < 0;
          if (node.op === '<=') return cmp <= 0;
          if (node.op === '>') return cmp > 0;
          return cmp >= 0;
        }
      }
    }
  }
}
