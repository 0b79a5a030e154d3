/**
 * Test helper: one HTTP/1.1 request written byte for byte on a socket, so the request target
 * reaches the server exactly as given (`fetch` would normalize `/api/../api`, encoded paths and
 * absolute forms away).
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface RawRequest {
  method: string;
  /** The request target as sent: `/api/x`, `/%61pi/x`, `http://127.0.0.1:4000/api/x`. */
  target: string;
  /** `Host` header; default the server's own `127.0.0.1:<port>`. Null sends none. */
  host?: string | null;
  headers?: Record<string, string>;
  /** Text, or bytes sent as they are (a body that is not UTF-8). */
  body?: string | Buffer;
}

export function rawRequest(url: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  const host = request.host === undefined ? `${hostname}:${port}` : request.host;
  if (host !== null) lines.push(`Host: ${host}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      socket.write(lines.join('\r\n'));
      if (body) socket.write(body);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let text = raw.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') text = unchunk(text);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text });
    });
  });
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, end), 16);
    if (!size) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}
