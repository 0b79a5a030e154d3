/**
 * The fields of one action or trigger for a form: static ones from the connector's description,
 * dynamic ones (and pick lists) through `POST /api/connectors/:name/fields`, resolved again when
 * the config fields (or a field with `extendsSchema`) change.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { WeftApi } from '../api/client';
import type { ConnectorDetail, Field, FieldSet, FieldsRequest, Operation, PickListOption } from '../api/types';
import { isBlank, isFormula } from '../lib/fields';
import { useApi } from '../lib/hooks';

export type OperationKind = 'action' | 'trigger';

export function operationOf(
  connector: ConnectorDetail | undefined,
  kind: OperationKind,
  name: string | undefined,
): Operation | undefined {
  if (!connector || !name) return undefined;
  const list: Operation[] = kind === 'action' ? connector.actions : connector.triggers;
  return list.find((op) => op.name === name);
}

/** A connection is needed when the connector has connection fields or an authorization. */
export function needsConnection(connector: ConnectorDetail | undefined): boolean {
  if (!connector) return false;
  return (
    connector.authorization !== 'none' ||
    connector.connectionFields.dynamic ||
    (connector.connectionFields.fields?.length ?? 0) > 0
  );
}

const cache = new Map<string, { at: number; promise: Promise<unknown> }>();
const TTL_MS = 30_000;

/** Same request within 30 s: same answer (many forms ask for the same output fields). */
function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.promise as Promise<T>;
  const promise = load();
  cache.set(key, { at: Date.now(), promise });
  promise.catch(() => cache.delete(key));
  return promise;
}

export function clearFieldCache(): void {
  cache.clear();
}

export function resolveFields(api: WeftApi, connector: string, body: FieldsRequest): Promise<Field[]> {
  return cached(`fields:${connector}:${JSON.stringify(body)}`, () =>
    api.fields(connector, body).then((r) => r.fields ?? []),
  );
}

export function resolvePickList(api: WeftApi, connector: string, body: FieldsRequest): Promise<PickListOption[]> {
  return cached(`pick:${connector}:${JSON.stringify(body)}`, () =>
    api.pickList(connector, body).then((r) => r.options ?? []),
  );
}

/** The values that shape the schema: config fields and `extendsSchema` fields, without formulas. */
export function schemaValues(fields: readonly Field[], input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = input[f.name];
    if (!isBlank(v) && !isFormula(v)) out[f.name] = v;
  }
  return out;
}

type Resolved = { fields?: readonly Field[]; error?: unknown; loading: boolean };

function useFieldSet(
  set: FieldSet | undefined,
  connector: string | undefined,
  request: FieldsRequest | undefined,
  enabled = true,
): Resolved {
  const api = useApi();
  const key = request ? JSON.stringify(request) : '';
  const [state, setState] = useState<Resolved>({ loading: false });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the request
  useEffect(() => {
    if (!set?.dynamic || !connector || !request || !enabled) return;
    let live = true;
    setState((s) => ({ fields: s.fields, loading: true }));
    const timer = setTimeout(() => {
      resolveFields(api, connector, request).then(
        (fields) => live && setState({ fields, loading: false }),
        (error: unknown) => live && setState({ error, loading: false }),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [set?.dynamic, connector, key, enabled, api]);
  if (!set) return { loading: false };
  if (!set.dynamic) return { fields: set.fields ?? [], loading: false };
  if (!enabled) return { loading: false };
  return state;
}

export interface OperationFields {
  operation?: Operation;
  config: Resolved;
  input: Resolved;
  output: Resolved;
  /** What dynamic fields were resolved with (also the run's `configFields`). */
  configValues: Record<string, unknown>;
  /** Set when the fields cannot be resolved yet (no connection chosen). */
  waitingFor?: string;
  /** The description, computed with the connection and config values when it is a function. */
  description?: string;
}

export function useOperationFields(options: {
  connector?: ConnectorDetail;
  kind: OperationKind;
  name?: string;
  connection?: string;
  input: Record<string, unknown>;
  /** Resolve dynamic output fields too (for datapills). */
  withOutput?: boolean;
}): OperationFields {
  const { connector, kind, name, connection, input } = options;
  const operation = operationOf(connector, kind, name);
  const waitingFor = needsConnection(connector) && !connection ? 'connection' : undefined;
  const base: FieldsRequest | undefined = operation
    ? { ...(connection ? { connection } : {}), [kind]: operation.name }
    : undefined;
  const config = useFieldSet(
    operation?.configFields,
    connector?.name,
    base && { ...base, kind: 'config' },
    !waitingFor,
  );
  const inputStatic = operation?.inputFields.dynamic ? [] : (operation?.inputFields.fields ?? []);
  const shaping = [...(config.fields ?? []), ...inputStatic.filter((f) => f.extendsSchema)];
  const configValues = schemaValues(shaping, input);
  const configKey = JSON.stringify(configValues);
  // biome-ignore lint/correctness/useExhaustiveDependencies: configKey stands for configValues
  const withConfig = useMemo(
    () => (base ? { ...base, configFields: configValues } : undefined),
    [JSON.stringify(base), configKey],
  );
  const inputFields = useFieldSet(
    operation?.inputFields,
    connector?.name,
    withConfig && { ...withConfig, kind: 'input' },
    !waitingFor,
  );
  const output = useFieldSet(
    operation?.outputFields,
    connector?.name,
    withConfig && { ...withConfig, kind: 'output' },
    !waitingFor && options.withOutput !== false,
  );
  const description = useDescription(operation, connector?.name, withConfig, !waitingFor);
  return { operation, config, input: inputFields, output, configValues, waitingFor, description };
}

/** The operation's description, computed again for the chosen connection and config values. */
function useDescription(
  operation: Operation | undefined,
  connector: string | undefined,
  request: FieldsRequest | undefined,
  enabled: boolean,
): string | undefined {
  const api = useApi();
  const key = request ? JSON.stringify(request) : '';
  const [computed, setComputed] = useState<{ key: string; text?: string }>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the request
  useEffect(() => {
    if (!operation?.dynamicDescription || !connector || !request || !enabled) return;
    let live = true;
    cached(`description:${connector}:${key}`, () => api.description(connector, request)).then(
      (r) => live && setComputed({ key, text: r.description ?? undefined }),
      // A failing description keeps the one the connector page shows.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [operation?.dynamicDescription, connector, key, enabled, api]);
  return computed?.key === key ? computed.text : operation?.description;
}

/**
 * A pick-list loader for the forms of one connector and connection. Pick lists are asked for on
 * their own (`{ connection, pickList, args }`), with the config values they may read.
 */
export function usePickListLoader(
  connector: string | undefined,
  connection: string | undefined,
  configFields?: Record<string, unknown>,
): (name: string, args: Record<string, unknown>) => Promise<PickListOption[]> {
  const api = useApi();
  const key = JSON.stringify(configFields ?? {});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `configFields`
  return useCallback(
    (name: string, args: Record<string, unknown>) => {
      if (!connector) return Promise.resolve([]);
      const body: FieldsRequest = { pickList: name, args };
      if (connection) body.connection = connection;
      if (configFields && Object.keys(configFields).length) body.configFields = configFields;
      return resolvePickList(api, connector, body);
    },
    [api, connector, connection, key],
  );
}
