/**
 * The pick-list part of the contract checks. A pick list is called with the arguments a form
 * would give it: a dependent one (a field's `pickListParams`) with its parents' values, any
 * other with the user's `--args` (else none). Each distinct call runs and is checked once.
 */
import { messageOf } from '../errors.js';
import type { ConnectorDefinition } from '../types.js';
import type { CheckProblem } from './check-problem.js';

export interface PickListCheckHost {
  /** Runs `pick_lists.<name>` with these arguments and returns its output. */
  run(name: string, args: Record<string, unknown>): Promise<unknown>;
  /** Whether a failure only means "needs a connection" (reported as skipped). */
  skippable(error: unknown): boolean;
  problems: CheckProblem[];
  /** Pick-list arguments the user gave (`--args`). */
  args?: Record<string, unknown>;
}

export class PickListCheck {
  private readonly calls = new Map<string, Promise<unknown[] | undefined>>();

  constructor(
    private readonly definition: ConnectorDefinition,
    private readonly host: PickListCheckHost,
  ) {}

  /** The values of `name` called with `args` (plus the user's), checked on first use; undefined if it failed. */
  readonly values = (name: string, args: Record<string, unknown> = {}): Promise<unknown[] | undefined> => {
    const all = { ...args, ...(this.host.args ?? {}) }; // what the user gave wins over samples
    const key = `${name}\u0000${JSON.stringify(all)}`;
    let call = this.calls.get(key);
    if (!call) {
      call = this.check(name, all, Object.keys(args).length > 0);
      this.calls.set(key, call);
    }
    return call;
  };

  /** Checks every pick list that no field reached, with the user's arguments. */
  async rest(): Promise<void> {
    for (const name of Object.keys(this.definition.pickLists ?? {})) {
      const reached = [...this.calls.keys()].some((k) => k.startsWith(`${name}\u0000`));
      if (!reached) await this.values(name);
    }
  }

  /** `fromFields`: the arguments came from a field's parents, so a failure is the pick list's fault. */
  private async check(
    name: string,
    args: Record<string, unknown>,
    fromFields: boolean,
  ): Promise<unknown[] | undefined> {
    const fn = this.definition.pickLists?.[name];
    const shown = Object.keys(args).length ? ` ${JSON.stringify(args)}` : '';
    const base = `pickLists.${name}`;
    const where = `${base}${shown}`;
    const add = (level: CheckProblem['level'], path: string, message: string) =>
      this.host.problems.push({ level, path, message });
    let list: unknown;
    try {
      list = await this.host.run(name, args);
    } catch (error) {
      if (this.host.skippable(error)) add('skipped', where, 'needs a connection; skipped');
      else if (!fromFields && typeof fn === 'function' && fn.length >= 2)
        add(
          'warning',
          where,
          `failed when called ${shown ? 'with the arguments of --args' : 'without arguments'} (${messageOf(error)}); it takes arguments: give them with --args, or name them with pickListParams on the field that uses it`,
        );
      else add('error', where, messageOf(error));
      return undefined;
    }
    if (list === undefined || typeof fn !== 'function') return undefined;
    if (!Array.isArray(list)) {
      add('error', where, 'must return an array of [label, value] pairs');
      return undefined;
    }
    let good = true;
    list.forEach((pair, i) => {
      const at = (suffix = '') => `${base}[${i}]${suffix}${shown}`;
      if (!Array.isArray(pair) || pair.length < 2) add('error', at(), 'must be a [label, value] pair');
      else if (typeof pair[0] !== 'string')
        add('error', at('[0]'), `the label must be a string, got ${typeof pair[0]}`);
      else if (pair[1] === undefined || pair[1] === null) add('error', at('[1]'), 'the value is missing');
      else return;
      good = false;
    });
    return good ? list.map((pair) => (pair as unknown[])[1]) : undefined;
  }
}
