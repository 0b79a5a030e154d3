/**
 * What the user sees on stderr: one message per failure (a stack only with --verbose) and,
 * with --verbose, each HTTP exchange (already redacted by the SDK).
 */
import type { HttpExchangeLog } from '@weft/sdk';

export interface Reporter {
  verbose: boolean;
  /** Prints the error and returns the exit code to use. */
  fail(error: unknown): number;
  note(message: string): void;
  exchange(log: HttpExchangeLog): void;
  log(level: string, message: string, data?: unknown): void;
}

interface ErrorLike {
  code?: string;
  message?: string;
  stack?: string;
  cause?: unknown;
}

const USAGE_CODES = new Set(['USAGE', 'INPUT_UNREADABLE', 'SETTINGS_INVALID', 'UNKNOWN_PATH']);

export function createReporter(options: { verbose: boolean }): Reporter {
  const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
  return {
    verbose: options.verbose,
    fail(error: unknown): number {
      const e = (error ?? {}) as ErrorLike;
      const weft = typeof e.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(e.code);
      const message = e.message ?? String(error);
      err(`weft: ${message}`);
      if (options.verbose) {
        if (e.stack) err(e.stack);
        let cause = e.cause as ErrorLike | undefined;
        while (cause) {
          err(`caused by: ${cause.stack ?? cause.message ?? String(cause)}`);
          cause = cause.cause as ErrorLike | undefined;
        }
      } else if (!weft) {
        err('(run with --verbose for details)');
      }
      return weft && USAGE_CODES.has(e.code!) ? 2 : 1;
    },
    note(message: string) {
      err(message);
    },
    exchange(log: HttpExchangeLog) {
      if (!options.verbose) return;
      const lines = [`> ${log.method} ${log.url}${log.attempt > 1 ? ` (attempt ${log.attempt})` : ''}`];
      for (const [k, v] of Object.entries(log.requestHeaders)) lines.push(`> ${k}: ${v}`);
      if (log.requestBody) lines.push(`>`, ...log.requestBody.split('\n').map((l) => `> ${l}`));
      if (log.error) lines.push(`! ${log.error}`);
      if (log.status !== undefined) {
        lines.push(`< ${log.status} (${Math.round(log.durationMs)} ms)`);
        for (const [k, v] of Object.entries(log.responseHeaders ?? {})) lines.push(`< ${k}: ${v}`);
        if (log.responseBody) lines.push(`<`, ...log.responseBody.split('\n').map((l) => `< ${l}`));
      }
      err(lines.join('\n'));
    },
    log(level: string, message: string, data?: unknown) {
      if (level === 'debug' && !options.verbose) return;
      err(`[${level}] ${message}${data === undefined ? '' : ` ${JSON.stringify(data)}`}`);
    },
  };
}
