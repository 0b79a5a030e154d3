/**
 * Formulas in recipe values (SPEC §10): a string starting with `=` is one JSONata expression,
 * `{{ expr }}` inside any other string interpolates one, anything else is literal. Expressions
 * see the scope `{ trigger, steps, item?, error? }` as their input; no other code runs.
 *
 * Compiled expressions are cached by source text: jobs evaluate the same few thousand over and
 * over. Evaluation is bounded (time, depth, sequence length: see formula-limits.ts) and lets the
 * event loop run every few milliseconds, so a formula can neither hang a job nor the server.
 */
import type jsonata from 'jsonata';
import { BoundedExpression, limitMessage } from './formula-limits.js';

/** What expressions see. Inside `foreach` the item is under its `as` name (default `item`). */
export interface Scope {
  trigger: unknown;
  steps: Record<string, unknown>;
  item?: unknown;
  error?: unknown;
  [name: string]: unknown;
}

export type ExprNode = jsonata.ExprNode;

/** One expression of a value: its source and where it starts in the value's text. */
export interface FormulaPart {
  source: string;
  offset: number;
  expression: BoundedExpression;
}

export type CompiledValue =
  | { kind: 'literal'; text: string }
  | { kind: 'formula'; part: FormulaPart }
  | { kind: 'template'; pieces: Array<string | FormulaPart> };

/**
 * A formula that does not parse (found when a recipe is saved) or fails to evaluate (in a job):
 * `FORMULA_ERROR`, or `FORMULA_LIMIT` when it ran too long, nested too deep or grew too large.
 */
export class FormulaError extends Error {
  constructor(
    /** What is wrong, without the path. */
    readonly detail: string,
    /** Where the value is, e.g. `steps[0].input.email`. */
    readonly path: string,
    readonly code: 'FORMULA_ERROR' | 'FORMULA_LIMIT' = 'FORMULA_ERROR',
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'FormulaError';
  }
}

const CACHE_MAX = 10_000;
const cache = new Map<string, CompiledValue>();

interface JsonataFailure {
  message: string;
  position?: number;
  code?: string;
}

function parse(source: string, offset: number): FormulaPart {
  return { source, offset, expression: new BoundedExpression(source) };
}

function syntaxMessage(source: string, error: unknown): string {
  const e = error as JsonataFailure;
  const at = typeof e.position === 'number' ? ` at character ${e.position}` : '';
  return `formula "${source}" does not parse${at}: ${e.message ?? String(error)}`;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/**
 * Compiles one string value. Throws `FormulaError` (with `path`) for an expression that does not
 * parse. A `{{` without a closing `}}` is literal text.
 */
export function compileValue(text: string, path = ''): CompiledValue {
  const cached = cache.get(text);
  if (cached) return cached;
  let compiled: CompiledValue;
  if (text.startsWith('=')) {
    const source = text.slice(1);
    if (isBlank(source)) throw new FormulaError('a formula ("=...") needs an expression after "="', path);
    try {
      compiled = { kind: 'formula', part: parse(source, 1) };
    } catch (error) {
      throw new FormulaError(syntaxMessage(source, error), path);
    }
  } else if (!text.includes('{{')) {
    compiled = { kind: 'literal', text };
  } else {
    compiled = { kind: 'template', pieces: parseTemplate(text, path) };
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, compiled);
  return compiled;
}

/**
 * Splits `Order {{trigger.id}} for {{trigger.total}}` into literal pieces and expressions. An
 * expression may itself contain `}}` (an object constructor): the first `}}` after which the
 * text parses wins.
 */
function parseTemplate(text: string, path: string): Array<string | FormulaPart> {
  const pieces: Array<string | FormulaPart> = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    let close = text.indexOf('}}', open + 2);
    if (close < 0) break;
    literal += text.slice(i, open);
    let part: FormulaPart | undefined;
    let firstError: unknown;
    const firstSource = text.slice(open + 2, close);
    while (close >= 0) {
      const source = text.slice(open + 2, close);
      if (!isBlank(source)) {
        try {
          part = parse(source, open + 2);
          break;
        } catch (error) {
          firstError ??= error;
        }
      }
      close = text.indexOf('}}', close + 1);
    }
    if (!part) {
      if (isBlank(firstSource)) throw new FormulaError('"{{ }}" holds no expression', path);
      throw new FormulaError(syntaxMessage(firstSource.trim(), firstError), path);
    }
    if (literal) pieces.push(literal);
    literal = '';
    pieces.push(part);
    i = close + 2;
  }
  literal += text.slice(i);
  if (literal) pieces.push(literal);
  return pieces;
}

/** The expressions of a string value (none for a literal). */
export function formulasOf(text: string, path = ''): FormulaPart[] {
  const compiled = compileValue(text, path);
  if (compiled.kind === 'formula') return [compiled.part];
  if (compiled.kind === 'template') return compiled.pieces.filter((p): p is FormulaPart => typeof p !== 'string');
  return [];
}

/** JSONata sequences are arrays with extra flags: hand back plain JSON data. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'function') return undefined;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = plain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return value;
}

async function run(part: FormulaPart, scope: Scope, path: string): Promise<unknown> {
  try {
    return plain(await part.expression.evaluate(scope));
  } catch (error) {
    const e = error as JsonataFailure;
    const limit = limitMessage(e.code);
    if (limit) throw new FormulaError(`formula "${part.source.trim()}" ${limit}`, path, 'FORMULA_LIMIT');
    const at = typeof e.position === 'number' ? ` (at character ${e.position})` : '';
    throw new FormulaError(`formula "${part.source.trim()}" failed${at}: ${e.message ?? String(error)}`, path);
  }
}

function interpolated(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Evaluates one value: formulas give any JSON value (undefined when nothing matches), templates a string. */
export async function evaluateValue(value: unknown, scope: Scope, path = ''): Promise<unknown> {
  if (typeof value === 'string') {
    const compiled = compileValue(value, path);
    if (compiled.kind === 'literal') return value;
    if (compiled.kind === 'formula') return run(compiled.part, scope, path);
    let out = '';
    for (const piece of compiled.pieces) {
      out += typeof piece === 'string' ? piece : interpolated(await run(piece, scope, path));
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateValue(value[i], scope, `${path}[${i}]`));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const result = await evaluateValue(v, scope, path ? `${path}.${key}` : key);
      // A formula that matches nothing leaves the key out, so an optional input stays unset.
      if (result !== undefined) out[key] = result;
    }
    return out;
  }
  return value;
}

/**
 * Evaluates a step's input template against the scope. Errors are `FormulaError`s whose path
 * names the value (`path` prefix default `input`).
 */
export async function evaluateInput(
  inputTemplate: Record<string, unknown> | undefined,
  scope: Scope,
  options: { path?: string } = {},
): Promise<Record<string, unknown>> {
  if (!inputTemplate) return {};
  return (await evaluateValue(inputTemplate, scope, options.path ?? 'input')) as Record<string, unknown>;
}

/** An `if` condition: `=expr` (or a boolean), true when the result is truthy in JSONata's sense. */
export async function evaluateCondition(condition: unknown, scope: Scope, path = 'if'): Promise<boolean> {
  const value = await evaluateValue(condition, scope, path);
  if (Array.isArray(value)) return value.some((v) => Boolean(v));
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
