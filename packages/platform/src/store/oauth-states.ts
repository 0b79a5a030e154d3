/**
 * OAuth2 authorizations under way (0005): the `state` handed out when a connection's
 * authorization starts, with what its callback needs, so the callback works on whichever
 * process of a cluster the browser reaches. Each is taken once, before it expires; settled and
 * expired ones are kept one more period (a late click gets a precise message), then pruned.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OAuthStateTable } from './schema.js';
import { affected } from './sql.js';

export interface OAuthState {
  connection: string;
  connector: string;
  redirectUri: string;
  codeVerifier?: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  used: boolean;
}

export type TakenOAuthState =
  | { ok: true; pending: OAuthState }
  | { ok: false; problem: 'unknown' | 'expired' | 'used'; pending?: OAuthState };

export interface OAuthStateRepository {
  /** Keeps a new state; states settled or expired more than `keepMs` before `now` are pruned. */
  putOAuthState(state: string, pending: OAuthState, now: number, keepMs: number): Promise<void>;
  /** Marks the state used: only the first call with a live state succeeds, on any process. */
  takeOAuthState(state: string, now: number): Promise<TakenOAuthState>;
}

function toState(row: Selectable<OAuthStateTable>): OAuthState {
  return {
    connection: row.connection,
    connector: row.connector,
    redirectUri: row.redirect_uri,
    ...(row.code_verifier !== null ? { codeVerifier: row.code_verifier } : {}),
    // PostgreSQL's bigint arrives as text.
    expiresAt: Number(row.expires_at),
    used: Number(row.used) === 1,
  };
}

export class KyselyOAuthStates implements OAuthStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async putOAuthState(state: string, pending: OAuthState, now: number, keepMs: number): Promise<void> {
    await this.db
      .deleteFrom('oauth_states')
      .where('expires_at', '<=', now - keepMs)
      .execute();
    await this.db
      .insertInto('oauth_states')
      .values({
        state,
        connection: pending.connection,
        connector: pending.connector,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.codeVerifier ?? null,
        expires_at: pending.expiresAt,
        used: pending.used ? 1 : 0,
      })
      .execute();
  }

  async takeOAuthState(state: string, now: number): Promise<TakenOAuthState> {
    const result = await this.db
      .updateTable('oauth_states')
      .set({ used: 1 })
      .where('state', '=', state)
      .where('used', '=', 0)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    const row = await this.db.selectFrom('oauth_states').selectAll().where('state', '=', state).executeTakeFirst();
    if (!row) return { ok: false, problem: 'unknown' };
    const pending = toState(row);
    if (affected(result.numUpdatedRows) === 1) return { ok: true, pending };
    return { ok: false, problem: pending.used ? 'used' : 'expired', pending };
  }
}
