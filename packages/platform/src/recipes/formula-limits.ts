/**
 * The bounds of one formula evaluation (docs/recipes.md#formulas-and-datapills):
 *
 * - time: `WEFT_FORMULA_TIMEOUT_MS` (default 1000 ms);
 * - depth: 500 nested evaluations (a function that calls itself, not in tail position);
 * - size: sequences of at most 100,000 items.
 *
 * JSONata evaluates with promises that are already settled, so a long formula would hold the
 * event loop for its whole run: every job, webhook and API call of the server would wait. So a
 * formula runs first as it is, for at most `SLICE_MS`. Nearly all finish in that time. One that
 * does not is run again (formulas have no side effects) with JSONata's `__evaluate_entry` hook,
 * which runs before each evaluation step: once formulas have had the loop for `SLICE_MS`,
 * every such evaluation waits for one turn of the event loop (`setImmediate`) before going on.
 * The hook costs about as much as the evaluation itself, hence not for every formula.
 */
import jsonata from 'jsonata';

/** How long formulas may hold the event loop at a time. */
const SLICE_MS = 10;

/** Passed to JSONata, which reads them during each evaluation (so a change applies at once). */
export const LIMITS = { timeout: 1000, stack: 500, sequence: 100_000 };
/** The first run of every formula: as `LIMITS`, for one slice. */
const FIRST_RUN = { ...LIMITS, timeout: SLICE_MS };

/** Sets the time limit of one evaluation (the server does, from `WEFT_FORMULA_TIMEOUT_MS`). */
export function setFormulaTimeout(ms: number): void {
  LIMITS.timeout = ms;
}

/** When formulas last let the loop turn (starts stale: an idle loop is not known). */
let sliceStart = performance.now();
let turning: Promise<void> | undefined;

/** The entry hook: nothing while the slice lasts, then one shared turn of the event loop. */
function letOthersRun(): Promise<void> | undefined {
  if (turning) return turning;
  if (performance.now() - sliceStart < SLICE_MS) return undefined;
  turning = new Promise((resolve) =>
    setImmediate(() => {
      turning = undefined;
      sliceStart = performance.now();
      resolve();
    }),
  );
  return turning;
}

/** A compiled formula: its first run, and (made when first needed) its yielding run. */
export class BoundedExpression {
  private yielding: jsonata.Expression | undefined;
  private readonly first: jsonata.Expression;

  /** Throws JSONata's syntax error for a formula that does not parse. */
  constructor(private readonly source: string) {
    this.first = jsonata(source, FIRST_RUN);
  }

  ast(): jsonata.ExprNode {
    return this.first.ast();
  }

  async evaluate(input: unknown): Promise<unknown> {
    try {
      return await this.first.evaluate(input);
    } catch (error) {
      if ((error as { code?: string }).code !== 'D1012') throw error;
    }
    if (!this.yielding) {
      this.yielding = jsonata(this.source, LIMITS);
      this.yielding.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, letOthersRun);
    }
    return this.yielding.evaluate(input);
  }
}

/** What a JSONata error code means when it is one of the limits; undefined for other errors. */
export function limitMessage(code: string | undefined): string | undefined {
  switch (code) {
    case 'D1012':
      return (
        `ran longer than ${LIMITS.timeout} ms, the limit of one formula (WEFT_FORMULA_TIMEOUT_MS): ` +
        'look for a function that calls itself without end, or a loop over too much data'
      );
    case 'D1011':
      return (
        `nested deeper than ${LIMITS.stack} calls, the limit of one formula: ` +
        'look for a function that calls itself without end'
      );
    case 'D2015':
      return `made a sequence of more than ${LIMITS.sequence.toLocaleString('en-US')} items, the limit of one formula`;
    default:
      return undefined;
  }
}
