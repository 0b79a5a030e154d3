/** One finding of `weft check` (`checkConnector`); its own module so the check parts share it without a cycle. */
export interface CheckProblem {
  /** `error` fails the check; `warning` is reported; `skipped` says what could not be checked. */
  level: 'error' | 'warning' | 'skipped';
  path: string;
  message: string;
}
