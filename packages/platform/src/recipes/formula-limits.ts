/**
 * The bounds of one formula evaluation (docs/recipes.md#formulas):
 *
 * - time: `WEFT_FORMULA_TIMEOUT_MS` (default 1000 ms) from the start of the evaluation;
 * - depth: 500 nested evaluations (a function that calls itself, not in tail position);
 * - size: sequences of at most 100,000 items.
 *
 * JSONata evaluates with promises that are already settled, so without help a long formula
 * holds the event loop for its whole run: every job, webhook and API call of the server
 * waits. Its `__evaluate_entry` hook runs before each step of the evaluation; there, once
 * formulas have had the loop for `SLICE_MS`, every running evaluation waits for one turn of
 * the event loop (`setImmediate`) before going on.
 */

/** The hook JSONata calls before each evaluation step (a binding of the expression). */
export const EVALUATE_ENTRY = Symbol.for('jsonata.__evaluate_entry');

/** Passed to JSONata, which reads them on each evaluation step (so a change applies at once). */
export const LIMITS = { timeout: 1000, stack: 500, sequence: 100_000 };

/** How long formulas may run before they let the event loop turn. */
const SLICE_MS = 10;

/** Sets the time limit of one evaluation (the server does, from `WEFT_FORMULA_TIMEOUT_MS`). */
export function setFormulaTimeout(ms: number): void {
  LIMITS.timeout = ms;
}

/** When formulas last let the loop turn (the clock starts conservatively: an idle loop is not known). */
let sliceStart = performance.now();
let turning: Promise<void> | undefined;

/** The entry hook: nothing while the slice lasts, then one shared turn of the event loop. */
export function letOthersRun(): Promise<void> | undefined {
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
