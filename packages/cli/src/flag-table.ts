/**
 * Command-line flags declared once: a command's table gives both its commander options and the
 * TypeScript type of the parsed flags (`FlagsOf<typeof TABLE>`), so the two cannot drift.
 */
import { type Command, CommanderError, Option } from 'commander';

export interface FlagSpec {
  /** commander's syntax: `--settings <file>` (a value), `--follow` (on/off), `--no-browser` (on unless given). */
  readonly flags: string;
  readonly description: string;
  /** The value when the flag is not given; the flag's value is then never undefined. */
  readonly default?: string;
  /** The values allowed. */
  readonly choices?: readonly string[];
  /** Given again, it adds a value: the flag's value is a list. */
  readonly repeatable?: true;
  /** The value must be a positive integer (kept as its text). */
  readonly positive?: true;
}

/** Keeps a table's literal types (flag names, choices) so that `FlagsOf` can read them. */
export const flagTable = <const T extends readonly FlagSpec[]>(table: T): T => table;

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type LongName<F extends string> = F extends `--${infer Name} ${string}`
  ? Name
  : F extends `--${infer Name}`
    ? Name
    : never;
type Negated<F extends string> = LongName<F> extends `no-${string}` ? true : false;
type KeyOf<F extends string> = LongName<F> extends `no-${infer Name}` ? Camel<Name> : Camel<LongName<F>>;

type ValueOf<S extends FlagSpec> = S extends { repeatable: true }
  ? string[]
  : S extends { choices: readonly (infer C)[] }
    ? C
    : S['flags'] extends `${string}<${string}>`
      ? string
      : boolean;

/** Given or not, the flag has a value: it has a default, or it is a `--no-` flag. */
type AlwaysSet<S extends FlagSpec> = S extends { default: string } ? true : Negated<S['flags']>;

type Simplify<T> = { [K in keyof T]: T[K] };

/** The parsed flags of a table, as commander hands them to an action (keys in camelCase). */
export type FlagsOf<T extends readonly FlagSpec[]> = Simplify<
  { [S in T[number] as AlwaysSet<S> extends true ? KeyOf<S['flags']> : never]: ValueOf<S> } & {
    [S in T[number] as AlwaysSet<S> extends true ? never : KeyOf<S['flags']>]?: ValueOf<S>;
  }
>;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function parsePositive(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new CommanderError(2, 'weft.usage', `must be a positive integer, got "${value}"`);
  return value;
}

/** Declares a table's flags on a command. */
export function addFlags(command: Command, table: readonly FlagSpec[]): Command {
  for (const spec of table) {
    const option = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.choices) option.choices(spec.choices);
    if (spec.repeatable) option.argParser(collect);
    if (spec.positive) option.argParser(parsePositive);
    command.addOption(option);
  }
  return command;
}
