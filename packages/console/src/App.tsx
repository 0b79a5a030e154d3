/**
 * The console's shell: login gate, navigation and the page for the current `#/` route.
 */
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { WeftApi } from './api/client';
import { ApiContext } from './lib/hooks';
import { href, type Route, useRoute } from './lib/router';
import { AgentsPage } from './pages/Agents';
import { ConnectionFormPage } from './pages/ConnectionForm';
import { ConnectionsPage } from './pages/Connections';
import { ConnectorDetailPage } from './pages/ConnectorDetail';
import { ConnectorsPage } from './pages/Connectors';
import { JobDetailPage } from './pages/JobDetail';
import { JobsPage } from './pages/Jobs';
import { LoginPage } from './pages/Login';
import { NotFoundPage } from './pages/NotFound';
import { RecipesPage } from './pages/Recipes';
import { SdkConsolePage } from './pages/SdkConsole';
import { RecipeBuilderPage } from './recipe/RecipeBuilder';

const NAV = [
  { section: 'connectors', label: 'Connectors' },
  { section: 'connections', label: 'Connections' },
  { section: 'recipes', label: 'Recipes' },
  { section: 'jobs', label: 'Jobs' },
  { section: 'agents', label: 'Agents' },
  { section: 'sdk', label: 'SDK console' },
];

function page(route: Route): ReactNode {
  const [section, id, extra] = route.segments;
  if (extra !== undefined) return <NotFoundPage />;
  switch (section) {
    case undefined:
    case 'connectors':
      return id ? <ConnectorDetailPage name={id} /> : <ConnectorsPage />;
    case 'connections':
      if (id === 'new') return <ConnectionFormPage connector={route.query.get('connector') ?? undefined} />;
      return id ? <ConnectionFormPage name={id} /> : <ConnectionsPage />;
    case 'recipes':
      if (id === 'new') return <RecipeBuilderPage />;
      return id ? <RecipeBuilderPage id={id} /> : <RecipesPage />;
    case 'jobs':
      return id ? (
        <JobDetailPage id={id} />
      ) : (
        <JobsPage recipeId={route.query.get('recipeId') ?? ''} status={route.query.get('status') ?? ''} />
      );
    case 'agents':
      return id ? <NotFoundPage /> : <AgentsPage />;
    case 'sdk':
      return id ? (
        <NotFoundPage />
      ) : (
        <SdkConsolePage
          connector={route.query.get('connector') ?? undefined}
          action={route.query.get('action') ?? undefined}
        />
      );
    default:
      return <NotFoundPage />;
  }
}

export function App({ api }: { api: WeftApi }) {
  const route = useRoute();
  const [loggedIn, setLoggedIn] = useState(() => !!api.token);
  const [refused, setRefused] = useState(false);
  const signedIn = useRef(loggedIn);
  signedIn.current = loggedIn;

  useEffect(
    () =>
      api.onUnauthorized(() => {
        // A 401 while signed in: the token changed. (The login form reports its own 401s.)
        if (!signedIn.current) return;
        setRefused(true);
        setLoggedIn(false);
      }),
    [api],
  );

  const section = route.segments[0] ?? 'connectors';
  return (
    <ApiContext.Provider value={api}>
      {/* A button, not a link: `#main` would be read as a page route. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <div className="shell">
        <header className="topbar">
          <a className="brand" href={href('connectors')}>
            <span className="brand-mark" aria-hidden="true" />
            Weft <span className="brand-sub">console</span>
          </a>
          {loggedIn && (
            <nav aria-label="Main">
              <ul className="nav">
                {NAV.map((item) => (
                  <li key={item.section}>
                    <a href={href(item.section)} aria-current={section === item.section ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {loggedIn && (
            <button
              type="button"
              className="btn btn-ghost btn-small signout"
              onClick={() => {
                api.setToken(null);
                setRefused(false);
                setLoggedIn(false);
              }}
            >
              Sign out
            </button>
          )}
        </header>
        <main id="main" tabIndex={-1}>
          {loggedIn ? (
            <div key={route.path} className="page">
              {page(route)}
            </div>
          ) : (
            <LoginPage
              refused={refused}
              onLogin={() => {
                setRefused(false);
                setLoggedIn(true);
              }}
            />
          )}
        </main>
      </div>
    </ApiContext.Provider>
  );
}
