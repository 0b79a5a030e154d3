/**
 * A small line diff (longest common subsequence) for mismatch messages: `-` lines are the
 * recording, `+` lines what was sent now, with a few lines of context around each change.
 */

const CONTEXT = 3;
const MAX_LINES = 2000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function ops(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ kind: '-', line: a[i++] });
    else out.push({ kind: '+', line: b[j++] });
  }
  while (i < n) out.push({ kind: '-', line: a[i++] });
  while (j < m) out.push({ kind: '+', line: b[j++] });
  return out;
}

/** A readable diff of two texts, or '' when they are equal. */
export function lineDiff(recorded: string, actual: string, indent = '    '): string {
  if (recorded === actual) return '';
  const a = recorded.split('\n');
  const b = actual.split('\n');
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return `${indent}- ${a.slice(0, 20).join(`\n${indent}- `)}\n${indent}+ ${b.slice(0, 20).join(`\n${indent}+ `)}`;
  }
  const all = ops(a, b);
  const keep = new Array<boolean>(all.length).fill(false);
  all.forEach((op, k) => {
    if (op.kind === ' ') return;
    for (let c = Math.max(0, k - CONTEXT); c <= Math.min(all.length - 1, k + CONTEXT); c++) keep[c] = true;
  });
  const lines: string[] = [];
  let skipped = false;
  all.forEach((op, k) => {
    if (!keep[k]) {
      skipped = true;
      return;
    }
    if (skipped && lines.length) lines.push(`${indent}  ...`);
    skipped = false;
    lines.push(`${indent}${op.kind} ${op.line}`);
  });
  return lines.join('\n');
}
