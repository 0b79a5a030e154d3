/**
 * The OAuth2 authorization-code flow through the server (SPEC §4, §10): what `weft oauth2` does
 * on a developer's machine, for connections stored in the runtime.
 *
 * - `GET /api/connections/:name/oauth2/start` (admin token): a fresh `state` (kept here for 10
 *   minutes, usable once) and, when the connector asks for it, a PKCE verifier; answers 302 to
 *   the provider's authorization URL, or `{ authorizationUrl, expiresAt }` to
 *   `Accept: application/json` (the console opens that URL itself: a browser cannot send the
 *   admin token on a redirect).
 * - `GET /oauth/callback` (public: the provider's redirect, `${publicUrl}/oauth/callback`):
 *   checks the state, exchanges the code through the connector's `acquire` (or the SDK's default
 *   exchange) exactly as `weft oauth2` does, merges the tokens into the connection, re-seals it
 *   and answers a small page. Nothing is stored unless the exchange succeeds.
 *
 * Pending states are kept in the store (`oauth_states`): a callback works on any process of a
 * cluster, and across a restart.
 */
import { randomBytes } from 'node:crypto';
import { isWeftError, messageOf } from '@weft/sdk';
import type { AuthorizationStartResult } from '@weft/sdk/operations';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { redactorFor } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { ConflictError } from '../errors.js';
import type { ServerContext } from '../runtime/context.js';
import type { OAuthState, Store, TakenOAuthState } from '../store/store.js';
import { statusOf } from './errors.js';
import { answer, empty, invalid, notFound, params, unauthorized } from './schemas.js';

export const CALLBACK_PATH = '/oauth/callback';
/** How long an authorization may take from start to callback. */
export const STATE_TTL_MS = 10 * 60_000;
export type PendingAuthorization = OAuthState;
export type TakenAuthorization = TakenOAuthState;

/**
 * States handed out and not yet settled, each usable once before it expires. Kept in the store
 * (`oauth_states`), so a callback reaching any process of a cluster finds its state.
 */
export class PendingAuthorizations {
  /** The clock (tests move it). */
  now: () => number = Date.now;

  constructor(
    private readonly store: Pick<Store, 'putOAuthState' | 'takeOAuthState'>,
    readonly ttlMs = STATE_TTL_MS,
  ) {}

  async add(state: string, pending: Omit<PendingAuthorization, 'expiresAt' | 'used'>): Promise<PendingAuthorization> {
    const entry = { ...pending, expiresAt: this.now() + this.ttlMs, used: false };
    // Settled and expired states are kept one more period, so a late click gets a precise message.
    await this.store.putOAuthState(state, entry, this.now(), this.ttlMs);
    return entry;
  }

  /** Marks the state used; only the first call with a live state succeeds. */
  take(state: string): Promise<TakenAuthorization> {
    return this.store.takeOAuthState(state, this.now());
  }
}

const pendingByContext = new WeakMap<ServerContext, PendingAuthorizations>();

/** The pending authorizations of one server. */
export function pendingAuthorizationsOf(context: ServerContext): PendingAuthorizations {
  let pending = pendingByContext.get(context);
  if (!pending) {
    pending = new PendingAuthorizations(context.store);
    pendingByContext.set(context, pending);
  }
  return pending;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface PageResult {
  ok: boolean;
  connection?: string;
  message: string;
}

/**
 * The page the browser lands on. It tells an opener window (the console, when it opened the
 * authorization in a pop-up) how it went, with `postMessage` to the server's own origin.
 */
function page(reply: FastifyReply, status: number, title: string, result: PageResult): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const message = JSON.stringify({ type: 'weft:oauth2', ...result }).replace(/</g, '\\u003c');
  const link = result.connection
    ? `<p><a href="/#/connections/${encodeURIComponent(result.connection)}">Open the connection in the Weft console</a></p>`
    : '';
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weft: ${escapeHtml(title)}</title>` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>' +
    `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">` +
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(result.message)}</p>${link}` +
    `<script nonce="${nonce}">if (window.opener) window.opener.postMessage(${message}, window.location.origin);</script>` +
    '</body></html>\n';
  return reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The URL carries the code: no referrer leaves this page.
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'`,
    })
    .send(html);
}

/** Messages written for the CLI name `weft oauth2`; here the user starts again from the console. */
function serverWording(message: string): string {
  return message
    .replace(/\s*\(with the CLI: run `weft oauth2`\)/g, '')
    .replace(/\s*Run `weft oauth2` again\.?/g, '')
    .replace(/\s*run `weft oauth2` again( to retry)?\.?/g, '')
    .trim();
}

function firstString(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

const redirectUriOf = (context: ServerContext) => `${context.publicUrl().replace(/\/+$/, '')}${CALLBACK_PATH}`;

/** The start of an authorization: an `/api` route, registered in the guarded scope. */
const startSchema = {
  summary: 'Start the OAuth2 authorization-code flow of a connection',
  description:
    "Redirects (302) to the application's authorization URL; with `Accept: application/json` answers " +
    '`{ authorizationUrl }` instead. The application redirects back to `GET /oauth/callback`, which stores the tokens.',
  params: params('name'),
  response: {
    302: empty('To the authorization URL (`Location`)'),
    200: answer('With `Accept: application/json`', {
      type: 'object',
      required: ['authorizationUrl'],
      properties: { authorizationUrl: { type: 'string', format: 'uri' } },
    }),
    ...invalid,
    ...unauthorized,
    ...notFound,
  },
};

export async function oauthStartRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const pending = pendingAuthorizationsOf(context);
  const redirectUri = () => redirectUriOf(context);

  app.get<{ Params: { name: string } }>(
    '/api/connections/:name/oauth2/start',
    { schema: startSchema },
    async (request, reply) => {
      const name = request.params.name;
      const { connector, definition, values } = await context.connections.open(name);
      // A connector's settings lambdas may fail naming what they were given: no secret in the answer.
      const redactor = redactorFor(definition, values);
      let answer: AuthorizationStartResult;
      try {
        // Built in the connector's host: its settings (URLs, client id, scopes) may be lambdas.
        const result = await runOperation(
          definition,
          { kind: 'authorization_start', redirectUri: redirectUri() },
          { connection: values, mode: 'interactive' },
        );
        answer = result.output;
      } catch (error) {
        if (!isWeftError(error)) throw error;
        const how = error.code === 'USAGE' ? 'cannot be authorized in a browser' : 'cannot be authorized';
        throw new ConflictError(
          'OAUTH2_NOT_APPLICABLE',
          `The connection "${name}" ${how}: ${redactor.redact(error.message)}`,
          'name',
        );
      }
      const { grantType, start } = answer;
      if (grantType !== 'authorization_code' || !start) {
        throw new ConflictError(
          'OAUTH2_NOT_APPLICABLE',
          `The connection "${name}" uses the OAuth2 ${grantType} grant, which needs no browser: Weft requests its token when the connection is used (try POST /api/connections/${name}/test)`,
          'name',
        );
      }
      const entry = await pending.add(start.state, {
        connection: name,
        connector,
        redirectUri: start.redirectUri,
        codeVerifier: start.codeVerifier,
      });
      reply.header('cache-control', 'no-store');
      if (/\bapplication\/json\b/i.test(request.headers.accept ?? '')) {
        return { authorizationUrl: start.url, expiresAt: new Date(entry.expiresAt).toISOString() };
      }
      return reply.redirect(start.url, 302);
    },
  );
}

/** The provider's redirect back: public (no token), outside `/api`. */
export function registerOAuthCallbackRoute(app: FastifyInstance, context: ServerContext): void {
  const pending = pendingAuthorizationsOf(context);
  app.get(CALLBACK_PATH, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const state = firstString(query.state);
    const again = 'Nothing was stored. Start the authorization again from the Weft console.';
    if (!state) {
      return page(reply, 400, 'Authorization failed', {
        ok: false,
        message: `The authorization response carries no state, so Weft cannot tell which connection it is for. ${again}`,
      });
    }
    const taken = await pending.take(state);
    if (!taken.ok) {
      const text = {
        unknown:
          'This authorization is not one this server started (it may come from another server, or it was settled long ago).',
        expired: `This authorization expired: it must be completed within ${Math.round(pending.ttlMs / 60_000)} minutes of starting it.`,
        used: 'This authorization link was used already; each works once.',
      }[taken.problem];
      context.log('warn', `OAuth2 callback refused: ${taken.problem} state`, {
        connection: taken.pending?.connection,
      });
      return page(reply, 400, 'Authorization failed', {
        ok: false,
        connection: taken.pending?.connection,
        message: `${text} ${again}`,
      });
    }
    const { connection: name } = taken.pending;
    const providerError = firstString(query.error);
    if (providerError) {
      const description = firstString(query.error_description);
      const said = (description ? `${providerError}: ${description}` : providerError).slice(0, 300);
      const what =
        providerError === 'access_denied'
          ? 'Access was denied at the authorization server'
          : 'The authorization server answered with an error';
      context.log('warn', `OAuth2 authorization of connection "${name}" failed at the provider`, {
        connection: name,
        error: providerError,
      });
      return page(reply, 400, 'Authorization failed', {
        ok: false,
        connection: name,
        message: `${what} (${said}). Nothing was stored for "${name}". Start the authorization again to retry.`,
      });
    }
    const code = firstString(query.code);
    if (!code) {
      return page(reply, 400, 'Authorization failed', {
        ok: false,
        connection: name,
        message: `The authorization response carries no code. ${again}`,
      });
    }
    let opened: Awaited<ReturnType<ServerContext['connections']['open']>>;
    try {
      opened = await context.connections.open(name);
    } catch (error) {
      return page(reply, statusOf(error) ?? 500, 'Authorization failed', {
        ok: false,
        connection: name,
        message: `The connection "${name}" cannot be opened: ${messageOf(error)}. Nothing was stored.`,
      });
    }
    if (opened.connector !== taken.pending.connector) {
      return page(reply, 409, 'Authorization failed', {
        ok: false,
        connection: name,
        message: `The connection "${name}" was replaced (it now belongs to "${opened.connector}") since the authorization started. ${again}`,
      });
    }
    try {
      // Merges the tokens into `opened.values` (the same path as `weft oauth2`).
      const { redirectUri, codeVerifier } = taken.pending;
      await runOperation(
        opened.definition,
        { kind: 'acquire', authorizationCode: { code, redirectUri, codeVerifier } },
        { connection: opened.values, mode: 'interactive', dispatcher: opened.dispatcher },
      );
    } catch (error) {
      const message = serverWording(messageOf(error));
      context.log('warn', `OAuth2 code exchange of connection "${name}" failed`, {
        connection: name,
        code: isWeftError(error) ? error.code : undefined,
        error: message,
      });
      return page(reply, 502, 'Authorization failed', {
        ok: false,
        connection: name,
        message: `${message} Nothing was stored for "${name}". Start the authorization again to retry.`,
      });
    }
    await context.connections.save(name, opened.values);
    context.connections.forget(name);
    context.log('info', `Connection "${name}" authorized through OAuth2`, { connection: name });
    return page(reply, 200, `Connected ${name}`, {
      ok: true,
      connection: name,
      message: `Connected ${name}. You can close this window.`,
    });
  });
}
