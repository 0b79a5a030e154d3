/**
 * `weft oauth2`: authorizes a connection with the OAuth2 authorization-code grant on this
 * machine. It serves the redirect URI `http://127.0.0.1:<port>/oauth/callback`, prints the
 * authorization URL (and opens a browser), checks `state`, exchanges the code through the
 * executor (the connector's own `acquire`, else the default exchange, with PKCE when the
 * connector asks for it) and writes the tokens into the settings file. Nothing is written
 * unless the exchange succeeds. Client-credentials and password connections need no browser:
 * their token is requested directly.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve } from 'node:path';
import { isWeftError, messageOf, UsageError, WeftError } from '@weft/sdk';
import { oauth2AuthorizationOf, parseAuthorizationCallback } from '@weft/sdk/oauth2';
import { runOperation } from '@weft/sdk/operations';
import { closeHttp, type ExecuteOptions, loadConnectorFile } from '@weft/sdk/runtime';
import type { OAuth2Flags } from '../flags.js';
import type { Reporter } from '../report.js';
import { defaultSettingsFile, type LoadedSettings, loadSettings, saveConnection } from '../settings.js';

export const CALLBACK_PATH = '/oauth/callback';
const DEFAULT_PORT = 45555;
const DEFAULT_TIMEOUT_S = 300;

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--port must be a port number (0-65535; 0 picks a free one), got "${value}"`);
  }
  return port;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--timeout must be a positive number of seconds, got "${value}"`);
  }
  return Number(value);
}

/** The settings to authorize: an existing file, or a new `settings.yaml` created on success. */
async function settingsFor(flags: OAuth2Flags, connectorFile: string, reporter: Reporter): Promise<LoadedSettings> {
  const warn = (message: string) => reporter.note(`weft: warning: ${message}`);
  const file = resolve(
    flags.settings ??
      defaultSettingsFile(dirname(connectorFile), warn) ??
      join(dirname(connectorFile), 'settings.yaml'),
  );
  if (existsSync(file)) return loadSettings(file, flags.connection, { warn });
  if (file.endsWith('.enc')) {
    throw new UsageError(`${file} does not exist: create the encrypted settings file first (weft settings)`);
  }
  return { file, connection: {}, name: flags.connection, all: {} };
}

export async function oauth2Command(flags: OAuth2Flags, reporter: Reporter): Promise<number> {
  let server: Server | undefined;
  try {
    const port = parsePort(flags.port);
    const timeoutS = parseTimeout(flags.timeout);
    const connector = await loadConnectorFile(flags.connector ?? '.');
    const settings = await settingsFor(flags, connector.file, reporter);
    const existed = existsSync(settings.file);
    const authorization = oauth2AuthorizationOf(connector.definition, settings.connection);
    const grantType = authorization.grantType ?? 'authorization_code';
    const options: ExecuteOptions = {
      connection: settings.connection,
      mode: 'interactive',
      onExchange: reporter.verbose ? (log) => reporter.exchange(log) : undefined,
      onLog: (level, message, data) => reporter.log(level, message, data),
    };

    // Stores what acquire merged into the connection; runs only after a successful exchange.
    const store = async () => {
      if (!existed) await writeFile(settings.file, extname(settings.file) === '.json' ? '{}\n' : '', { mode: 0o600 });
      await saveConnection(settings, { warn: (m) => reporter.note(`weft: warning: ${m}`) });
    };

    let output: unknown;
    if (grantType !== 'authorization_code') {
      reporter.note(
        `weft: this connection uses the ${grantType} grant: requesting a token directly (no browser needed)`,
      );
      const result = await runOperation(connector.definition, { kind: 'acquire' }, options);
      output = result.kind === 'output' ? result.output : null;
      await store();
    } else {
      const callback = await listen(port);
      server = callback.server;
      const redirectUri = `http://127.0.0.1:${callback.port}${CALLBACK_PATH}`;
      // Through the operation, like the server's start: a failing setting is reported redacted.
      const operation = { kind: 'authorization_start', redirectUri } as const;
      const { start } = (await runOperation(connector.definition, operation, options)).output;
      if (!start) throw new WeftError('OAUTH2_ERROR', 'the connection does not use the authorization code grant');
      reporter.note(
        [
          `weft: to authorize ${connector.definition.title ?? connector.name}, open this URL in a browser${start.pkce ? ' (PKCE S256)' : ''}:`,
          '',
          `  ${start.url}`,
          '',
          `weft: waiting up to ${timeoutS} s for the redirect to ${redirectUri} (Ctrl-C to stop)`,
        ].join('\n'),
      );
      if (flags.browser !== false) openBrowser(start.url, reporter);
      output = await waitForCallback(callback.server, start.state, timeoutS, redirectUri, async (code) => {
        const authorizationCode = { code, redirectUri, codeVerifier: start.codeVerifier };
        const result = await runOperation(connector.definition, { kind: 'acquire', authorizationCode }, options);
        await store();
        return result.kind === 'output' ? result.output : null;
      });
    }

    const where = settings.name ? `${settings.file} (connection "${settings.name}")` : settings.file;
    const expires =
      typeof settings.connection.expires_at === 'string'
        ? `; the access token expires at ${settings.connection.expires_at}`
        : '';
    reporter.note(`weft: authorized; tokens stored in ${where}${expires}`);
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    if (server) {
      server.closeAllConnections();
      server.close();
    }
    await closeHttp();
  }
}

async function listen(port: number): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(
              `port ${port} on 127.0.0.1 is in use: stop what uses it or pass --port=<another> (the redirect URI registered with the provider must use the same port)`,
            )
          : new WeftError('OAUTH2_ERROR', `cannot serve the redirect URI on 127.0.0.1:${port}: ${messageOf(error)}`),
      );
    });
    server.listen(port, '127.0.0.1', () => resolvePromise());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Answers requests to the redirect URI until one settles the flow: a valid callback is
 * exchanged (the browser sees the outcome), a wrong state or an error ends it. Other paths
 * (a browser's favicon request) get a 404 and change nothing.
 */
function waitForCallback<T>(
  server: Server,
  state: string,
  timeoutS: number,
  redirectUri: string,
  exchange: (code: string) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    let busy = false;
    const timer = setTimeout(() => {
      busy = true;
      reject(
        new WeftError(
          'OAUTH2_ERROR',
          `No authorization arrived at ${redirectUri} within ${timeoutS} s. Nothing was stored; run \`weft oauth2\` again (--timeout=<seconds> gives more time).`,
        ),
      );
    }, timeoutS * 1000);
    const finish = (res: ServerResponse, status: number, title: string, text: string) => {
      page(res, status, title, text);
      clearTimeout(timer);
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== CALLBACK_PATH || req.method !== 'GET') {
        page(res, 404, 'Not found', 'This server only receives the OAuth2 redirect.');
        return;
      }
      if (busy) {
        page(res, 409, 'Already handled', 'This authorization was already handled. Check the terminal.');
        return;
      }
      busy = true;
      let code: string;
      try {
        ({ code } = parseAuthorizationCallback(url.searchParams, state));
      } catch (error) {
        finish(res, 400, 'Authorization failed', `${messageOf(error)} Check the terminal.`);
        reject(error);
        return;
      }
      exchange(code).then(
        (value) => {
          finish(res, 200, 'Authorized', 'Weft received the authorization. You can close this window.');
          resolvePromise(value);
        },
        (error) => {
          const message = isWeftError(error) ? error.message : 'The code exchange failed.';
          finish(res, 502, 'Authorization failed', `${message} Check the terminal.`);
          reject(error);
        },
      );
    });
  });
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const html = (s: string) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>Weft: ${html(title)}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;margin:3em"><h1>${html(title)}</h1><p>${html(text)}</p></body></html>\n`,
  );
}

/** Best effort: a missing opener only means the user copies the URL. */
function openBrowser(url: string, reporter: Reporter): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => reporter.note('weft: could not open a browser; open the URL above yourself'));
    child.unref();
  } catch {
    reporter.note('weft: could not open a browser; open the URL above yourself');
  }
}
