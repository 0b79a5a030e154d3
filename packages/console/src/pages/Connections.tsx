import { useState } from 'react';
import { errorMessage } from '../api/client';
import type { TestResult } from '../api/types';
import { ListTable } from '../components/ListTable';
import { Alert, Button, ButtonLink, ErrorMessage, formatTime, PageHeader } from '../components/ui';
import { takeFlash } from '../lib/flash';
import { useApi, useAsync, useListChange, useTitle } from '../lib/hooks';
import { href } from '../lib/router';

export function ConnectionsPage() {
  useTitle('Connections');
  const api = useApi();
  const list = useAsync(() => api.connections({ limit: 1000 }), [api]);
  const [flash] = useState(takeFlash);
  const [results, setResults] = useState<Record<string, TestResult | 'testing'>>({});
  const change = useListChange(list.reload);
  const test = async (name: string) => {
    setResults((r) => ({ ...r, [name]: 'testing' }));
    try {
      const result = await api.testConnection(name);
      setResults((r) => ({ ...r, [name]: result }));
    } catch (e) {
      setResults((r) => ({ ...r, [name]: { ok: false, message: errorMessage(e) } }));
    }
  };
  const remove = async (name: string) => {
    if (!window.confirm(`Delete the connection "${name}"? Recipes cannot use it any more.`)) return;
    await change.run(name, () => api.deleteConnection(name));
  };

  return (
    <>
      <PageHeader
        title="Connections"
        actions={
          <ButtonLink href={href('connections', 'new')} variant="primary">
            New connection
          </ButtonLink>
        }
      >
        <p className="muted">
          Credentials and settings for one account of an application. Secrets are stored encrypted.
        </p>
      </PageHeader>
      {flash && <Alert kind="success" title={flash} />}
      <ErrorMessage error={list.error} title="The connections could not be loaded" />
      <ErrorMessage error={change.error} title="The connection could not be deleted" />
      <ListTable
        list={list}
        caption="Connections"
        columns={['Name', 'Connector', 'Updated']}
        actions
        emptyTitle="No connections yet"
        empty={<p>Create one to use a connector in recipes and in the SDK console.</p>}
        row={(c) => {
          const result = results[c.name];
          return (
            <tr key={c.name}>
              <th scope="row">
                <a href={href('connections', c.name)}>{c.name}</a>
                {c.error && <p className="field-error">{c.error.message}</p>}
                {result && result !== 'testing' && (
                  <p className={result.ok ? 'test-ok' : 'field-error'} role="status">
                    {result.ok ? '✓ ' : '✗ '}
                    {result.message}
                  </p>
                )}
              </th>
              <td>
                <a href={href('connectors', c.connector)}>{c.connector}</a>
              </td>
              <td>{formatTime(c.updatedAt)}</td>
              <td className="row-actions">
                <Button
                  size="small"
                  busy={result === 'testing'}
                  onClick={() => test(c.name)}
                  aria-label={`Test the connection ${c.name}`}
                >
                  Test
                </Button>
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => remove(c.name)}
                  aria-label={`Delete the connection ${c.name}`}
                >
                  Delete
                </Button>
              </td>
            </tr>
          );
        }}
      />
    </>
  );
}
