/**
 * Asks for the admin token once; it is kept in this browser's localStorage.
 */
import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { Alert, Button } from '../components/ui';
import { useApi, useTitle } from '../lib/hooks';

export function LoginPage({ refused, onLogin }: { refused: boolean; onLogin: () => void }) {
  useTitle('Sign in');
  const api = useApi();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const given = token.trim();
    if (!given) {
      setError('Enter the admin token.');
      return;
    }
    setBusy(true);
    setError(undefined);
    api.setToken(given);
    try {
      await api.connectors();
      onLogin();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) api.setToken(null);
      setError(
        err instanceof ApiError && err.status === 401
          ? 'Weft refused this token (401). Check that you copied the whole token from admin.token.'
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <h1>Sign in to Weft</h1>
      {refused && (
        <Alert kind="warning" title="Your session token was refused (401)">
          The admin token may have changed. Enter the current one.
        </Alert>
      )}
      <form onSubmit={submit} noValidate className="card">
        <div className={`field${error ? ' has-error' : ''}`}>
          <label className="field-label" htmlFor="admin-token">
            Admin token
          </label>
          <p className="field-hint" id="admin-token-hint">
            <code>weft serve</code> prints where it is: the file <code>$WEFT_HOME/admin.token</code> (by default{' '}
            <code>./.weft/admin.token</code>), or the <code>WEFT_ADMIN_TOKEN</code> variable. It is kept in this browser
            until you sign out.
          </p>
          <input
            id="admin-token"
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-describedby={`admin-token-hint${error ? ' admin-token-error' : ''}`}
            aria-invalid={error ? true : undefined}
          />
          {error && (
            <p className="field-error" id="admin-token-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
    </div>
  );
}
