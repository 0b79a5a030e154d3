/**
 * The typed API client. Every call sends the admin token; a 401 tells the app (through
 * `onUnauthorized`) so it can ask for the token again. Errors become `ApiError`s carrying the
 * API's `{ code, message, path }` and every problem parsed from the message.
 */
import { type Problem, problemsOf } from './problems';
import type {
  Agent,
  AgentWithKey,
  ApiErrorBody,
  Connection,
  ConnectorDetail,
  ConnectorList,
  Field,
  FieldsRequest,
  HttpExchange,
  JobDetail,
  JobStatus,
  JobSummary,
  Page,
  PickListOption,
  Recipe,
  RecipeInput,
  RunResult,
  SavedRecipe,
  TestResult,
} from './types';

const TOKEN_KEY = 'weft.adminToken';

export class ApiError extends Error {
  readonly problems: Problem[];
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    /** HTTP exchanges an SDK console run made before it failed. */
    readonly exchanges?: HttpExchange[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.problems = problemsOf(message, path);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

type Query = Record<string, string | number | undefined | null>;

function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

export class WeftApi {
  private listeners = new Set<() => void>();

  constructor(
    private readonly base = '',
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = window.localStorage,
  ) {}

  get token(): string | null {
    return this.storage.getItem(TOKEN_KEY);
  }

  setToken(token: string | null): void {
    if (token) this.storage.setItem(TOKEN_KEY, token);
    else this.storage.removeItem(TOKEN_KEY);
  }

  /** Called on every 401; returns an unsubscribe function. */
  onUnauthorized(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Query; signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}${queryString(options.query)}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(
        0,
        'NETWORK',
        `Weft could not be reached (${errorMessage(error)}). Is \`weft serve\` running?`,
      );
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as ApiErrorBody | undefined)?.error;
      if (response.status === 401) for (const listener of this.listeners) listener();
      throw new ApiError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? `The server answered HTTP ${response.status} ${response.statusText}`.trim(),
        error?.path,
        (body as ApiErrorBody | undefined)?.exchanges,
      );
    }
    return body as T;
  }

  // Connectors
  connectors = () => this.request<ConnectorList>('GET', '/api/connectors');
  connector = (name: string) => this.request<ConnectorDetail>('GET', `/api/connectors/${enc(name)}`);
  connectorSource = (name: string) => this.request<unknown>('GET', `/api/connectors/${enc(name)}/source`);
  fields = (connector: string, body: FieldsRequest, signal?: AbortSignal) =>
    this.request<{ fields: Field[] }>('POST', `/api/connectors/${enc(connector)}/fields`, { body, signal });
  description = (connector: string, body: FieldsRequest, signal?: AbortSignal) =>
    this.request<{ description: string | null }>('POST', `/api/connectors/${enc(connector)}/fields`, {
      body: { ...body, kind: 'description' },
      signal,
    });
  pickList = (connector: string, body: FieldsRequest, signal?: AbortSignal) =>
    this.request<{ options: PickListOption[] }>('POST', `/api/connectors/${enc(connector)}/fields`, { body, signal });
  run = (
    connector: string,
    body: {
      connection?: string;
      action: string;
      input: Record<string, unknown>;
      configFields?: Record<string, unknown>;
    },
  ) => this.request<RunResult>('POST', `/api/connectors/${enc(connector)}/run`, { body });

  // Connections
  connections = (query?: Query) => this.request<Page<Connection>>('GET', '/api/connections', { query });
  connection = (name: string) => this.request<Connection>('GET', `/api/connections/${enc(name)}`);
  createConnection = (body: {
    name: string;
    connector: string;
    values: Record<string, unknown>;
    agentGroup?: string;
  }) => this.request<Connection>('POST', '/api/connections', { body });
  updateConnection = (name: string, values: Record<string, unknown>, agentGroup?: string | null) =>
    this.request<Connection>('PATCH', `/api/connections/${enc(name)}`, {
      body: agentGroup === undefined ? { values } : { values, agentGroup },
    });
  deleteConnection = (name: string) => this.request<void>('DELETE', `/api/connections/${enc(name)}`);
  testConnection = (name: string) => this.request<TestResult>('POST', `/api/connections/${enc(name)}/test`);
  oauth2Start = (name: string) =>
    this.request<{ authorizationUrl: string }>('GET', `/api/connections/${enc(name)}/oauth2/start`);

  // On-premises agents (the key is in the answer of create and rotate only)
  agents = () => this.request<{ items: Agent[] }>('GET', '/api/agents');
  createAgent = (body: { name: string; group: string }) => this.request<AgentWithKey>('POST', '/api/agents', { body });
  rotateAgent = (name: string) => this.request<AgentWithKey>('POST', `/api/agents/${enc(name)}/rotate`);
  revokeAgent = (name: string) => this.request<void>('DELETE', `/api/agents/${enc(name)}`);

  // Recipes
  recipes = (query?: Query) => this.request<Page<Recipe>>('GET', '/api/recipes', { query });
  recipe = (id: string) => this.request<Recipe>('GET', `/api/recipes/${enc(id)}`);
  createRecipe = (body: RecipeInput) => this.request<SavedRecipe>('POST', '/api/recipes', { body });
  replaceRecipe = (id: string, body: RecipeInput) =>
    this.request<SavedRecipe>('PUT', `/api/recipes/${enc(id)}`, { body });
  deleteRecipe = (id: string) => this.request<void>('DELETE', `/api/recipes/${enc(id)}`);
  startRecipe = (id: string) => this.request<Recipe>('POST', `/api/recipes/${enc(id)}/start`);
  stopRecipe = (id: string) => this.request<Recipe>('POST', `/api/recipes/${enc(id)}/stop`);

  // Jobs
  jobs = (query: { recipeId?: string; status?: JobStatus | ''; limit?: number; cursor?: string | null }) =>
    this.request<Page<JobSummary>>('GET', '/api/jobs', { query });
  job = (id: string) => this.request<JobDetail>('GET', `/api/jobs/${enc(id)}`);
  rerunJob = (id: string) => this.request<JobSummary>('POST', `/api/jobs/${enc(id)}/rerun`);
}
