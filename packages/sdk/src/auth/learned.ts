/**
 * Connection values learned at run time. What `acquire` or `refresh` returned is merged into the
 * connection under keys that are not declared fields (a session id, a `user_key`, a server URL);
 * those values are secrets (SPEC §4) on every later run too, not only in the run that obtained
 * them. Token metadata (`expires_at`, `token_type`, `scope`) is not secret.
 */
import type { Authorization, ConnectorDefinition, MultiAuthorization } from '../types.js';
import type { SingleAuthorization } from './apply.js';
import { TOKEN_METADATA_KEYS } from './token.js';

interface Plan {
  obtains: boolean;
  declared: Set<string>;
}

const plans = new WeakMap<ConnectorDefinition, Plan>();

function obtains(auth: SingleAuthorization | undefined): boolean {
  if (!auth) return false;
  return auth.type === 'oauth2' || typeof auth.acquire === 'function' || typeof auth.refresh === 'function';
}

function planOf(connector: ConnectorDefinition): Plan {
  let plan = plans.get(connector);
  if (!plan) {
    const auth: Authorization | undefined = connector.connection?.authorization;
    const options =
      auth?.type === 'multi'
        ? Object.values((auth as MultiAuthorization).options ?? {})
        : [auth as SingleAuthorization | undefined];
    plan = {
      obtains: options.some((o) => obtains(o as SingleAuthorization | undefined)),
      declared: new Set((connector.connection?.fields ?? []).map((f) => f.name)),
    };
    plans.set(connector, plan);
  }
  return plan;
}

/** Whether `key` of the connection holds a value obtained by `acquire` or `refresh`. */
export function isLearnedKey(connector: ConnectorDefinition, key: string): boolean {
  const plan = planOf(connector);
  return plan.obtains && !plan.declared.has(key) && !TOKEN_METADATA_KEYS.has(key);
}
