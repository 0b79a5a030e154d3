/** A real node:http server on 127.0.0.1 for the http tests; records every request it receives. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEnv } from '../types.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface TestServer {
  url: string;
  received: Received[];
  /** Replace the handler for a path (exact pathname match). */
  on(path: string, handler: Handler): void;
  close(): Promise<void>;
  server: Server;
}

export async function startServer(fallback?: Handler): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body });
    const path = new URL(req.url!, 'http://x').pathname;
    const handler = routes.get(path) ?? fallback ?? echo;
    try {
      await handler(req, res, body);
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    server,
  };
}

/** Answers with JSON describing the request. */
export const echo: Handler = (req, res, body) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') }));
};

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export function testEnv(overrides: Partial<HttpEnv> = {}): HttpEnv {
  return {
    baseUri: async () => undefined,
    timeoutMs: 5_000,
    redact: (s) => s,
    retryBaseMs: 5,
    ...overrides,
  };
}
