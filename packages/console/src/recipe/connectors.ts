/**
 * Connector descriptions and connections the recipe builder and SDK console look up, loaded once
 * per page and shared by every step.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Connection, ConnectorDetail } from '../api/types';
import { useApi } from '../lib/hooks';

export interface Catalog {
  detail(name: string | undefined): ConnectorDetail | undefined;
  error(name: string | undefined): unknown;
  connectionsOf(connector: string | undefined): Connection[];
}

export const CatalogContext = createContext<Catalog>({
  detail: () => undefined,
  error: () => undefined,
  connectionsOf: () => [],
});

export const useCatalog = () => useContext(CatalogContext);

export function useCatalogState(connections: Connection[] | undefined): Catalog {
  const api = useApi();
  const [details, setDetails] = useState<Record<string, ConnectorDetail>>({});
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const asked = useRef(new Set<string>());
  const [wanted, setWanted] = useState<string[]>([]);

  useEffect(() => {
    for (const name of wanted) {
      if (asked.current.has(name)) continue;
      asked.current.add(name);
      api.connector(name).then(
        (d) => setDetails((m) => ({ ...m, [name]: d })),
        (e: unknown) => setErrors((m) => ({ ...m, [name]: e })),
      );
    }
  }, [wanted, api]);

  const detail = useCallback(
    (name: string | undefined) => {
      if (!name) return undefined;
      if (!details[name] && !asked.current.has(name) && !wanted.includes(name)) {
        queueMicrotask(() => setWanted((w) => (w.includes(name) ? w : [...w, name])));
      }
      return details[name];
    },
    [details, wanted],
  );
  const error = useCallback((name: string | undefined) => (name ? errors[name] : undefined), [errors]);
  const connectionsOf = useCallback(
    (connector: string | undefined) => (connections ?? []).filter((c) => c.connector === connector),
    [connections],
  );
  return { detail, error, connectionsOf };
}
