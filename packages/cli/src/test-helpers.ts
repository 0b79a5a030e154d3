/**
 * Helpers for the CLI's own tests (not part of the build): run the built `weft` binary as a
 * user would, and start small HTTP servers on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command ...args` and collects its output (`env` is the whole environment; stdin gets `input`). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `weft ...args` in `cwd` and collects its output. */
export function runWeft(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], { ...options, env: { ...process.env, ...options.env } });
}

/** Runs `weft exec <path> --connector=<connector> --settings=<settings> ...flags`. */
export function execWeft(connector: string, settings: string, path: string, ...flags: string[]): Promise<RunResult> {
  return runWeft(['exec', path, `--connector=${connector}`, `--settings=${settings}`, ...flags]);
}

export interface RunningOAuth2 {
  /** The authorization URL printed on stderr. */
  url: Promise<string>;
  done: Promise<RunResult>;
}

/** Starts `weft oauth2 --no-browser --port=0 ...args` and watches stderr for the authorization URL. */
export function startOAuth2(args: string[], env: Record<string, string> = {}): RunningOAuth2 {
  const child = spawn(process.execPath, [BIN, 'oauth2', '--no-browser', '--port=0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let found: (url: string) => void;
  let missing: (error: Error) => void;
  const url = new Promise<string>((resolve, reject) => {
    found = resolve;
    missing = reject;
  });
  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    const match = /^ {2}(http\S+)$/m.exec(stderr);
    if (match) found(match[1]);
  });
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code) => {
      missing(new Error(`weft oauth2 printed no authorization URL:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return { url, done };
}

/** Writes `dir/name` (a string as it is, anything else as JSON) and answers its path. */
export async function writeIn(dir: string, name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface TestServer {
  url: string;
  server: Server;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export interface RunningWeft {
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches, with the match; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
  /** The process id of the running `weft`. */
  pid: number | undefined;
}

/** Starts a long-running `weft ...args` (e.g. `weft listen`) without waiting for it to end. */
export function startWeft(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningWeft {
  return startProcess(process.execPath, [BIN, ...args], options);
}

/**
 * Starts a long-running `command ...args` and watches its output, like `startWeft` (which is
 * this with `node dist/bin.js`); e.g. a process run inside a network namespace.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): RunningWeft {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out.stdout += d;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    out.stderr += d;
    wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then(wake);
  let done = false;
  exited.then(() => {
    done = true;
  });
  return {
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    pid: child.pid,
    waitFor(pattern, { stream = 'stderr', timeoutMs = 15_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out[stream].match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          } else if (done) {
            cleanup();
            reject(
              new Error(`weft exited before ${pattern} appeared.\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}.\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/**
 * `(base, method, path, body?)` against a Weft server with `token`: the parsed answer; an
 * answer of 400 or more throws with its text.
 */
export function apiCall(token: string) {
  return async (base: string, method: string, path: string, body?: unknown): Promise<any> => {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`${method} ${path} → ${res.statusCode}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Answers `res` with `bytes` bytes of `x`, 64 KiB at a time, minding back-pressure (never whole in memory). */
export function sendBytes(res: ServerResponse, bytes: number): void {
  let left = bytes;
  const chunk = Buffer.alloc(64 * 1024, 120);
  res.setHeader('content-length', String(left));
  const pump = () => {
    while (left > 0) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** Resolves once `check()` is true, looking every 20 ms; fails naming `what` after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
