/** Times for people: "12 s ago", "3 min ago", "yesterday"-ish, relative to `now`. */

const UNITS: readonly [limitMs: number, unitMs: number, unit: string][] = [
  [60_000, 1000, 's'],
  [3_600_000, 60_000, 'min'],
  [86_400_000, 3_600_000, 'h'],
];

/** `iso` relative to `now` (ms since the epoch); '—' for none, the text itself when it is no date. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ago = now - at;
  if (ago < 5000) return 'just now';
  for (const [limit, unit, name] of UNITS) {
    if (ago < limit) return `${Math.floor(ago / unit)} ${name} ago`;
  }
  const days = Math.floor(ago / 86_400_000);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
