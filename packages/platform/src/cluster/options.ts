/**
 * The cluster settings of one process: which roles it plays (`--role`, `WEFT_ROLES`) and how
 * long its leases last (`WEFT_LEASE_SECONDS`). On the embedded store a process plays every role.
 */
import { WeftError } from '@weft/sdk';

/** What a process does; a cluster spreads them over processes (default: all of them). */
export const ROLES = ['api', 'ingress', 'scheduler', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export interface ClusterOptions {
  /** The roles this process plays. */
  roles: ReadonlySet<Role>;
  /**
   * How long a lease lasts without renewal: a job's (its worker's heartbeat) and the
   * scheduler's leadership. A dead holder's work is taken over after at most this long plus one
   * heartbeat (`WEFT_LEASE_SECONDS`, default 20, 2 to 300).
   */
  leaseMs: number;
  /** How often leases are renewed and expired ones looked for: a quarter of the lease. */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_SECONDS = 20;

/** Roles from `api,worker`-style text; every role when empty. */
export function parseRoles(text: string | undefined, source = '--role'): ReadonlySet<Role> {
  const names = (text ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return new Set(ROLES);
  const roles = new Set<Role>();
  for (const name of names) {
    if (!(ROLES as readonly string[]).includes(name)) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `${source} lists "${name}", which is not a role: use one or more of ${ROLES.join(', ')}, separated by commas`,
      );
    }
    roles.add(name as Role);
  }
  return roles;
}

/** The settings from the environment, overridden by `given`. A bad value stops the start. */
export function clusterOptions(
  env: NodeJS.ProcessEnv,
  given: { roles?: readonly Role[] | string } = {},
): ClusterOptions {
  const roles =
    typeof given.roles === 'string'
      ? parseRoles(given.roles)
      : given.roles
        ? new Set(given.roles)
        : parseRoles(env.WEFT_ROLES, 'WEFT_ROLES');
  const raw = env.WEFT_LEASE_SECONDS?.trim();
  let seconds = DEFAULT_LEASE_SECONDS;
  if (raw) {
    seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds < 2 || seconds > 300) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `WEFT_LEASE_SECONDS must be a number of seconds from 2 to 300, got "${raw}"`,
      );
    }
  }
  const leaseMs = Math.round(seconds * 1000);
  return { roles, leaseMs, heartbeatMs: Math.max(250, Math.floor(leaseMs / 4)) };
}
