/**
 * The datapill picker: a button next to a field that opens a list of the trigger's and earlier
 * steps' output fields; choosing one inserts a reference into the field.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { PillGroup } from './env';

export function DatapillMenu({
  groups,
  fieldLabel,
  onPick,
}: {
  groups: PillGroup[];
  fieldLabel: string;
  onPick: (path: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    search.current?.focus();
    const onDown = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const needle = filter.trim().toLowerCase();
  const shown = groups
    .map((g) => ({
      ...g,
      pills: g.pills.filter((p) => !needle || `${p.label} ${p.path}`.toLowerCase().includes(needle)),
    }))
    .filter((g) => g.pills.length);
  const total = groups.reduce((n, g) => n + g.pills.length, 0);

  return (
    <div className="pill-menu">
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-small"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Insert a datapill into ${fieldLabel}`}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">⬡</span> Datapill
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="pill-panel"
          role="dialog"
          aria-label={`Datapills for ${fieldLabel}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          <label className="pill-search">
            <span className="visually-hidden">Filter datapills</span>
            <input
              ref={search}
              type="search"
              placeholder="Filter datapills"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          </label>
          {total === 0 && <p className="field-note">No data from earlier steps: add a trigger first.</p>}
          {total > 0 && shown.length === 0 && <p className="field-note">No datapill matches.</p>}
          {shown.map((group) => (
            <section key={group.title} className="pill-group" aria-label={group.title}>
              <h3 className="pill-group-title">{group.title}</h3>
              <ul>
                {group.pills.map((pill) => (
                  <li key={pill.path} style={{ paddingLeft: `${pill.depth * 0.75}rem` }}>
                    <button
                      type="button"
                      className="pill"
                      onClick={() => {
                        onPick(pill.path);
                        close();
                      }}
                    >
                      <span className="pill-label">{pill.label}</span>
                      <span className="pill-type">{pill.type}</span>
                      <code className="pill-path">{pill.path}</code>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
