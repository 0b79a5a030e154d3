/**
 * The `ctx.log` lines an action step keeps in the job's history (docs/jobs.md, "Step logs"):
 * redacted by the SDK before they get here, and bounded — at most `STEP_LOG_LINES` lines of at
 * most `STEP_LOG_LINE_BYTES` each, then one "… N more lines dropped" line — so a connector
 * logging in a loop costs a counter, not memory. A connector host applies the same bounds
 * before it sends lines to the server (protocol.ts), and the server applies them again.
 */
import type { JobLogLine } from '@weft/sdk/model';
import type { Log } from './log.js';

export type { JobLogLine };

/** Lines kept per step run. */
export const STEP_LOG_LINES = 200;
/** Characters kept per line: the message, and the line's data as JSON (or it is left out). */
export const STEP_LOG_LINE_BYTES = 2048;

type Level = JobLogLine['level'];
const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const MARKER = /^… (\d+) more lines dropped$/;

/** `onLog` with a count of lines a connector host left unsent (it counts, the server keeps). */
export interface CountingOnLog {
  (level: Level, message: string, data?: unknown): void;
  dropped?: (count: number) => void;
}

/** A line within the bounds: the message cut, data over the bound left out (and said so). */
export function boundLine(level: string, message: unknown, data: unknown, at: string): JobLogLine {
  let text = typeof message === 'string' ? message : String(message);
  if (text.length > STEP_LOG_LINE_BYTES) text = `${text.slice(0, STEP_LOG_LINE_BYTES)}… (cut)`;
  const line: JobLogLine = { level: LEVELS.includes(level) ? (level as Level) : 'info', message: text, at };
  if (data === undefined) return line;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    json = undefined;
  }
  if (json === undefined) line.message += ' (data left out: not JSON)';
  else if (json.length + text.length > STEP_LOG_LINE_BYTES)
    line.message += ` (data left out: ${json.length} characters)`;
  else line.data = JSON.parse(json);
  return line;
}

/** Collects one step run's lines within the bounds. */
export class StepLog {
  private readonly lines: JobLogLine[] = [];
  private droppedLines = 0;
  readonly onLog: CountingOnLog;

  /** `earlier`: lines of the step's earlier runs to go on from (a multistep action's). */
  constructor(
    private readonly now: () => string,
    earlier?: readonly JobLogLine[] | null,
  ) {
    if (earlier) {
      const marker = MARKER.exec(earlier.at(-1)?.message ?? '');
      if (marker) this.droppedLines = Number(marker[1]);
      this.lines.push(...earlier.slice(0, marker ? -1 : undefined).slice(0, STEP_LOG_LINES));
    }
    const onLog: CountingOnLog = (level, message, data) => {
      if (this.lines.length >= STEP_LOG_LINES) this.droppedLines++;
      else this.lines.push(boundLine(level, message, data, this.now()));
    };
    onLog.dropped = (count) => {
      if (Number.isSafeInteger(count) && count > 0) this.droppedLines += count;
    };
    this.onLog = onLog;
  }

  /**
   * Writes the lines to the server's operational log (a poll's: no job holds them), each as
   * `<who> logged: <message>` at its level (debug as info), with the recipe's id.
   */
  writeTo(log: Log, who: string, recipeId: string): void {
    for (const line of this.result() ?? []) {
      const level = line.level === 'debug' ? 'info' : line.level;
      log(
        level,
        `${who} logged: ${line.message}`,
        line.data === undefined ? { recipeId } : { recipeId, data: line.data },
      );
    }
  }

  /** The lines kept, with the marker of the ones dropped; null when there were none. */
  result(): JobLogLine[] | null {
    if (this.lines.length === 0 && this.droppedLines === 0) return null;
    if (this.droppedLines === 0) return this.lines.slice();
    return [...this.lines, { level: 'warn', message: `… ${this.droppedLines} more lines dropped`, at: this.now() }];
  }
}
