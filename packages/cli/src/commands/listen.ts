/**
 * `weft listen <connector> triggers.x`: a local webhook receiver for one trigger. Dynamic
 * webhooks are subscribed with the receiver's URL (or --public-url) and unsubscribed on
 * SIGINT/SIGTERM; for static webhooks the URL to register and the expected key are printed.
 * Each request runs `webhookNotification` through the executor, as the runtime's ingress does;
 * each new event is one JSON line on stdout. A bad request is answered 4xx and reported on
 * stderr; the listener keeps running.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { type ConnectorDefinition, UsageError, WeftError } from '@weft/sdk';
import { runOperation } from '@weft/sdk/operations';
import {
  closeHttp,
  type ExecuteOptions,
  loadConnectorFile,
  MemorySeenStore,
  runWebhookNotification,
  type WebhookReply,
  type WebhookRequest,
  webhookErrorReply,
  webhookKeyOfRecipe,
  webhookKeyOfRequest,
} from '@weft/sdk/runtime';
import type { ListenFlags } from '../flags.js';
import { readJsonObject } from '../io.js';
import type { Reporter } from '../report.js';
import { defaultSettingsFile, type LoadedSettings, loadSettings, saveConnection } from '../settings.js';

/** Keys of a subscription whose values stay off the terminal (a per-webhook signing secret). */
const SECRET_KEY = /secret|token|pass(word)?|signature|api[-_]?key|private[-_]?key|credential/i;

/** `subscription` with the values of secret-named keys, at any depth, shown as `[REDACTED]`. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v != null ? '[REDACTED]' : withoutSecrets(v)]),
  );
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** `1mb`, `256kb`, `100000` → bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new UsageError(`--max-body must be a size such as 1mb, 256kb or 100000 (bytes), got "${text}"`);
  }
  return Math.floor(Number(match[1]) * unit);
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port must be a port number (0-65535; 0 picks a free one), got "${text}"`);
  }
  return Number(text);
}

function triggerName(connector: ConnectorDefinition, arg: string): string {
  const name = arg.startsWith('triggers.') ? arg.slice('triggers.'.length) : arg;
  const trigger = connector.triggers?.[name];
  if (!trigger) {
    const known = Object.keys(connector.triggers ?? {});
    throw new UsageError(`Unknown trigger "${name}". Triggers of this connector: ${known.join(', ') || 'none'}`);
  }
  if (typeof trigger.webhookNotification !== 'function') {
    throw new UsageError(
      `triggers.${name} has no webhookNotification, so there is nothing to listen for. ` +
        `For a polling trigger run: weft exec triggers.${name}.poll --follow`,
    );
  }
  return name;
}

class BodyTooLarge extends WeftError {
  constructor(limit: number) {
    super('WEBHOOK_REQUEST_INVALID', `The request body is larger than --max-body (${limit} bytes)`, {
      details: { replyStatus: 413 },
    });
  }
}

/** Reads a body up to `limit` bytes; past it, stops reading and throws BodyTooLarge. */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function requestOf(req: IncomingMessage, rawBody: string): WebhookRequest {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (!(key in params)) params[key] = value;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers, params, rawBody };
}

function send(res: ServerResponse, reply: WebhookReply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function listenCommand(
  connectorArg: string,
  triggerArg: string,
  flags: ListenFlags,
  reporter: Reporter,
): Promise<number> {
  let settings: LoadedSettings | undefined;
  let before = '';
  let server: ReturnType<typeof createServer> | undefined;
  try {
    const connector = await loadConnectorFile(connectorArg ?? '.');
    const definition = connector.definition;
    const name = triggerName(definition, triggerArg);
    const trigger = definition.triggers![name];
    const port = parsePort(flags.port ?? '0');
    const host = flags.host ?? '127.0.0.1';
    const maxBody = parseSize(flags.maxBody ?? '1mb');
    if (flags.publicUrl !== undefined && !/^https?:\/\/[^/]/.test(flags.publicUrl)) {
      throw new UsageError(`--public-url must be an absolute http(s) URL, got "${flags.publicUrl}"`);
    }
    const settingsFile = flags.settings ?? defaultSettingsFile(dirname(connector.file));
    if (flags.connection && !settingsFile) {
      throw new UsageError(`--connection=${flags.connection} needs a settings file: pass --settings=<file>`);
    }
    settings = settingsFile ? await loadSettings(resolve(settingsFile), flags.connection) : undefined;
    before = settings ? JSON.stringify(settings.connection) : '';
    const input = flags.input === undefined ? {} : await readJsonObject(flags.input, '--input');
    const connection = settings?.connection ?? {};
    const base: ExecuteOptions = {
      connection,
      input,
      mode: 'job',
      onExchange: reporter.verbose ? (log) => reporter.exchange(log) : undefined,
      onLog: (level, message, data) => reporter.log(level, message, data),
    };

    const isStatic = typeof definition.webhookKeys === 'function' && typeof trigger.webhookKey === 'function';
    const expectedKey = isStatic ? await webhookKeyOfRecipe(definition, name, base) : undefined;
    const store = new MemorySeenStore();
    let subscription: unknown;
    let webhookUrl = '';

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const started = Date.now();
      const what = `${req.method} ${req.url}`;
      try {
        const request = requestOf(req, await readBody(req, maxBody));
        if (expectedKey !== undefined) {
          const key = await webhookKeyOfRequest(definition, request, { ...base, input: undefined });
          if (key !== expectedKey) {
            reporter.note(
              `weft: ${what}: key "${key}" is not "${expectedKey}"; ignored (no recipe of this connection)`,
            );
            return send(res, { status: 200, headers: {}, body: '' });
          }
        }
        const outcome = await runWebhookNotification({
          connector: definition,
          trigger: name,
          request,
          subscription,
          webhookUrl,
          store,
          executeOptions: base,
        });
        for (const event of outcome.events) process.stdout.write(`${JSON.stringify(event)}\n`);
        if (outcome.duplicates) reporter.note(`weft: ${what}: ${outcome.duplicates} event(s) already seen (dedup)`);
        send(res, outcome.reply);
        reporter.log(
          'debug',
          `${what} -> ${outcome.reply.status}, ${outcome.events.length} event(s) in ${Date.now() - started} ms`,
        );
      } catch (error) {
        const reply = webhookErrorReply(error);
        if (reply.status === 413) reply.headers.connection = 'close';
        send(res, reply);
        const message = error instanceof Error ? error.message : String(error);
        reporter.note(`weft: ${what} answered ${reply.status}: ${message}`);
        if (reporter.verbose && error instanceof Error && error.stack) reporter.note(error.stack);
        // A body over the limit is left unread: drop the connection once the reply is out.
        if (reply.status === 413) res.on('finish', () => req.destroy());
      }
    };

    server = createServer((req, res) => {
      handle(req, res).catch((error) => {
        // Last resort: a bug here must not end the listener.
        reporter.note(`weft: ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent) send(res, webhookErrorReply(error));
      });
    });
    server.on('clientError', (error, socket) => {
      reporter.note(`weft: a malformed request was refused (${error.message})`);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    server.listen(port, host);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw new UsageError(`Cannot listen on ${host}:${port}: ${(error as Error).message}`);
      }),
    ]);
    // From here on a signal stops us cleanly (unsubscribing), even during the subscription.
    const stopped = new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const bound = (server.address() as AddressInfo).port;
    const localUrl = `http://${hostForUrl(host)}:${bound}/webhooks/${encodeURIComponent(name)}`;
    webhookUrl = flags.publicUrl ?? localUrl;
    reporter.note(`weft: listening on ${localUrl}`);

    if (typeof trigger.webhookSubscribe === 'function') {
      const result = await runOperation(
        definition,
        { kind: 'webhook_subscribe', trigger: name, input, webhookUrl },
        base,
      );
      subscription = result.kind === 'output' ? result.output : undefined;
      reporter.note(`weft: subscribed ${webhookUrl}: ${JSON.stringify(withoutSecrets(subscription))}`);
    } else if (expectedKey !== undefined) {
      reporter.note(`weft: static webhook: register ${webhookUrl} with the application`);
      reporter.note(`weft: requests whose webhookKeys is "${expectedKey}" are this connection's`);
    } else {
      reporter.note(`weft: send requests to ${webhookUrl}`);
    }
    reporter.note('weft: waiting for requests; press Ctrl-C to stop');

    await stopped;

    reporter.note('weft: stopping');
    await closeServer(server);
    server = undefined;
    if (typeof trigger.webhookSubscribe === 'function' && typeof trigger.webhookUnsubscribe === 'function') {
      const operation = { kind: 'webhook_unsubscribe', trigger: name, input, webhookUrl, subscription } as const;
      await runOperation(definition, operation, base);
      reporter.note('weft: unsubscribed');
    }
    return 0;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    if (server) await closeServer(server);
    if (settings && JSON.stringify(settings.connection) !== before) {
      await saveConnection(settings).then(
        () => reporter.note(`weft: updated connection values written to ${settings!.file}`),
        (error) => reporter.fail(error),
      );
    }
    await closeHttp();
  }
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
