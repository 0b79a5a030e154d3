/**
 * Small building blocks of the console's design system (see styles.css).
 */
import { type ButtonHTMLAttributes, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'normal' | 'small';
  busy?: boolean;
};

export function Button({ variant = 'secondary', size = 'normal', busy, className, children, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      disabled={rest.disabled || busy}
      aria-busy={busy || undefined}
      className={`btn btn-${variant}${size === 'small' ? ' btn-small' : ''}${className ? ` ${className}` : ''}`}
    >
      {children}
    </button>
  );
}

export function ButtonLink({
  href,
  variant = 'secondary',
  size = 'normal',
  children,
}: {
  href: string;
  variant?: 'primary' | 'secondary' | 'ghost';
  size?: 'normal' | 'small';
  children: ReactNode;
}) {
  return (
    <a href={href} className={`btn btn-${variant}${size === 'small' ? ' btn-small' : ''}`}>
      {children}
    </a>
  );
}

/** An error, success or info message. Errors and successes are announced to screen readers. */
export function Alert({
  kind,
  title,
  children,
}: {
  kind: 'error' | 'success' | 'info' | 'warning';
  title?: string;
  children?: ReactNode;
}) {
  const role = kind === 'error' ? 'alert' : kind === 'info' ? undefined : 'status';
  return (
    <div className={`alert alert-${kind}`} role={role}>
      {title && <p className="alert-title">{title}</p>}
      {children && <div className="alert-body">{children}</div>}
    </div>
  );
}

/** An API error (or any error) as a readable message; nothing when there is none. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const message = errorMessage(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <Alert kind="error" title={title ?? 'Something went wrong'}>
      <p className="pre-line">{message}</p>
      {code && <p className="muted small">Code: {code}</p>}
    </Alert>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** The page's heading; focused when the page opens so screen readers announce it. */
export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header className="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {children}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

const STATUS_LABEL: Record<string, string> = {
  pending: 'Pending',
  running: 'Running',
  suspended: 'Suspended',
  succeeded: 'Succeeded',
  failed: 'Failed',
  stopped: 'Stopped',
  skipped: 'Skipped',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

/** A labelled, scrollable block of code; focusable so the keyboard can scroll it. */
export function CodeBlock({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard
    <section className={`code${className ? ` ${className}` : ''}`} aria-label={label} tabIndex={0}>
      <pre>
        <code>{children}</code>
      </pre>
    </section>
  );
}

export function JsonView({ value, label }: { value: unknown; label: string }) {
  return <CodeBlock label={label}>{value === undefined ? '—' : JSON.stringify(value, null, 2)}</CodeBlock>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="small"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? 'Copied' : label}
      <span className="visually-hidden" aria-live="polite">
        {copied ? ' to the clipboard' : ''}
      </span>
    </Button>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatDuration(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return '—';
  const ms = (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
