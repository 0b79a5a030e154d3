/** Small typed checks that push a problem and report whether the value passed. */
import type { Problem } from '../errors.js';
import { describe, isPlainObject } from '../schema/values.js';

export type Obj = Record<string, unknown>;

export class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path: path || '(root)', message });
  }

  object(value: unknown, path: string, what = 'an object'): value is Obj {
    if (isPlainObject(value)) return true;
    this.add(path, `must be ${what}, got ${describe(value)}`);
    return false;
  }

  /** Optional values: `undefined` passes. */
  fn(value: unknown, path: string): void {
    if (value !== undefined && typeof value !== 'function')
      this.add(path, `must be a function, got ${describe(value)}`);
  }

  string(value: unknown, path: string): void {
    if (value !== undefined && typeof value !== 'string') this.add(path, `must be a string, got ${describe(value)}`);
  }

  boolean(value: unknown, path: string): void {
    if (value !== undefined && typeof value !== 'boolean')
      this.add(path, `must be true or false, got ${describe(value)}`);
  }

  number(value: unknown, path: string): void {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      this.add(path, `must be a number, got ${describe(value)}`);
    }
  }

  stringOrFn(value: unknown, path: string): void {
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'function') {
      this.add(path, `must be a string or a function, got ${describe(value)}`);
    }
  }

  oneOf(value: unknown, path: string, allowed: readonly string[]): void {
    if (value !== undefined && !allowed.includes(value as string)) {
      this.add(path, `must be one of ${allowed.join(', ')} (got ${describe(value)})`);
    }
  }

  stringList(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.add(path, `must be an array of strings, got ${describe(value)}`);
    }
  }

  /** `[401, /expired/i, 'text']`: status codes, regular expressions or substrings. */
  matchers(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      this.add(path, `must be an array of status codes, regular expressions or strings, got ${describe(value)}`);
      return;
    }
    value.forEach((m, i) => {
      const fine = (typeof m === 'number' && Number.isInteger(m)) || typeof m === 'string' || m instanceof RegExp;
      if (!fine)
        this.add(`${path}[${i}]`, `must be a status code, a regular expression or a string, got ${describe(m)}`);
    });
  }

  /** A map of name → function (pick lists, methods, streams). */
  functionMap(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!this.object(value, path, 'an object of named functions')) return;
    for (const [name, fn] of Object.entries(value)) {
      if (typeof fn !== 'function') this.add(`${path}.${name}`, `must be a function, got ${describe(fn)}`);
    }
  }
}
