/**
 * HTTP as data: the methods a connector's requests may use, and one exchange as it is logged
 * (`weft exec --verbose`, the console's SDK console, `POST /api/connectors/:name/run`). Pure: no
 * Node imports.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One HTTP exchange, as shown by `--verbose` and the API (already redacted). */
export interface HttpExchangeLog {
  method: HttpMethod;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  durationMs: number;
  attempt: number;
  error?: string;
}
