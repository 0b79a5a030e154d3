/**
 * Plain-text output of the API commands: aligned tables and short values. `--json` prints the
 * API's answer instead.
 */

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  if (!rows.length) return '';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `2026-01-05T10:00:02.123Z` → `2026-01-05 10:00:02`; empty for none. */
export function time(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Seconds between two ISO times (`1.2s`), empty when either is missing. */
export function duration(from: unknown, to: unknown): string {
  if (typeof from !== 'string' || typeof to !== 'string') return '';
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** One line, at most `max` characters. */
export function short(text: unknown, max = 60): string {
  if (text === undefined || text === null) return '';
  const s = (typeof text === 'string' ? text : JSON.stringify(text)).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
