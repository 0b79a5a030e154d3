import { Alert, EmptyState, ErrorMessage, Loading, PageHeader } from '../components/ui';
import { useApi, useAsync, useTitle } from '../lib/hooks';
import { href } from '../lib/router';

export function ConnectorsPage() {
  useTitle('Connectors');
  const api = useApi();
  const list = useAsync(() => api.connectors(), [api]);
  return (
    <>
      <PageHeader title="Connectors">
        <p className="muted">The connectors this server loaded: what each can do, and its code.</p>
      </PageHeader>
      <ErrorMessage error={list.error} title="The connectors could not be loaded" />
      {list.loading && !list.data && <Loading />}
      {list.data?.problems && list.data.problems.length > 0 && (
        <Alert kind="warning" title={`${list.data.problems.length} connector folder(s) could not be loaded`}>
          <ul>
            {list.data.problems.map((p) => (
              <li key={p.folder}>
                <code>{p.folder}</code>: <span className="pre-line">{p.message}</span>
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {list.data && list.data.items.length === 0 && (
        <EmptyState title="No connectors are loaded">
          <p>
            Start <code>weft serve --connectors DIR</code> with a folder of connectors, or push one with{' '}
            <code>weft push</code>.
          </p>
        </EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <ul className="card-grid" aria-label="Connectors">
          {list.data.items.map((c) => (
            <li key={c.name} className="card card-link">
              <h2 className="card-title">
                <a href={href('connectors', c.name)}>{c.title ?? c.name}</a>
              </h2>
              <p className="muted small">
                <code>{c.name}</code> · version {c.version}
                {c.builtin && (
                  <>
                    {' '}
                    · <span className="badge">built-in</span>
                  </>
                )}
              </p>
              {c.description && <p>{c.description}</p>}
              <p className="counts">
                <span>
                  {c.actions.length} action{c.actions.length === 1 ? '' : 's'}
                </span>
                <span>
                  {c.triggers.length} trigger{c.triggers.length === 1 ? '' : 's'}
                </span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
