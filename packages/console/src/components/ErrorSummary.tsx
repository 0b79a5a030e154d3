/**
 * The problems of a rejected save, listed at the top of a form; each links to its field
 * (where the same message is shown again).
 */
import { useEffect, useRef } from 'react';
import type { Problem } from '../api/problems';
import { fieldId } from '../lib/fields';

export function errorMap(problems: readonly Problem[], strip = ''): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of problems) {
    if (!p.path) continue;
    const path = strip && p.path.startsWith(strip) ? p.path.slice(strip.length) : p.path;
    if (!map.has(path)) map.set(path, p.message);
  }
  return map;
}

/** The field a path points at, or its closest rendered parent. */
function target(path: string): HTMLElement | null {
  let p = path;
  while (p) {
    const el = document.getElementById(fieldId(p));
    if (el) return el;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return null;
}

export function ErrorSummary({ problems, title }: { problems: readonly Problem[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problems.length) ref.current?.focus();
  }, [problems]);
  if (!problems.length) return null;
  return (
    <div className="alert alert-error error-summary" role="alert" tabIndex={-1} ref={ref}>
      <p className="alert-title">{title}</p>
      <ul>
        {problems.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems may repeat
          <li key={i}>
            {p.path ? (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  const el = target(p.path);
                  el?.scrollIntoView({ block: 'center' });
                  el?.focus();
                }}
              >
                <code>{p.path}</code>
              </button>
            ) : null}
            {p.path ? ': ' : ''}
            {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
