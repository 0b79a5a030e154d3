/**
 * Isolation settings, from the environment with defaults (documented in docs/running.md,
 * "Isolation"). A bad value stops the start with the variable's name.
 */
import { availableParallelism } from 'node:os';
import { WeftError } from '@weft/sdk';
import { invalidAllowEntries } from './egress.js';

export interface IsolationOptions {
  /** Wall time of one operation of a job (action, poll), in ms (`WEFT_CONNECTOR_TIMEOUT_SECONDS`, default 300). */
  jobTimeoutMs: number;
  /** Wall time of an interactive operation (pick list, fields, test, webhook), in ms (`WEFT_CONNECTOR_INTERACTIVE_TIMEOUT_SECONDS`, default 60). */
  interactiveTimeoutMs: number;
  /** Loading a connector's code, in ms (`WEFT_CONNECTOR_LOAD_TIMEOUT_SECONDS`, default 30). */
  loadTimeoutMs: number;
  /** Memory of one host, in MiB (`WEFT_CONNECTOR_MEMORY_MB`, default 512). */
  memoryMb: number;
  /** Operations at once on one host (`WEFT_HOST_CONCURRENCY`, default 16). */
  perHost: number;
  /** Hosts of one connector version at most (`WEFT_HOSTS_PER_CONNECTOR`, default from the workers). */
  maxHosts: number;
  /** A host without work this long exits, in ms (`WEFT_HOST_IDLE_SECONDS`, default 300). */
  idleMs: number;
  /** `WEFT_EGRESS_ALLOW`: addresses connector code may reach despite the egress rules. */
  egressAllow: string[];
}

interface Setting {
  env: string;
  default: number;
  min: number;
  scale: number;
}

const SETTINGS: Record<Exclude<keyof IsolationOptions, 'egressAllow' | 'maxHosts'>, Setting> = {
  jobTimeoutMs: { env: 'WEFT_CONNECTOR_TIMEOUT_SECONDS', default: 300, min: 1, scale: 1000 },
  interactiveTimeoutMs: { env: 'WEFT_CONNECTOR_INTERACTIVE_TIMEOUT_SECONDS', default: 60, min: 1, scale: 1000 },
  loadTimeoutMs: { env: 'WEFT_CONNECTOR_LOAD_TIMEOUT_SECONDS', default: 30, min: 1, scale: 1000 },
  memoryMb: { env: 'WEFT_CONNECTOR_MEMORY_MB', default: 512, min: 64, scale: 1 },
  perHost: { env: 'WEFT_HOST_CONCURRENCY', default: 16, min: 1, scale: 1 },
  idleMs: { env: 'WEFT_HOST_IDLE_SECONDS', default: 300, min: 1, scale: 1000 },
};

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new WeftError('SETTINGS_INVALID', `${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

/** From the environment; `workers` (the job concurrency) sizes the pools. */
export function isolationOptions(env: NodeJS.ProcessEnv, workers: number): IsolationOptions {
  const out = {} as Record<string, number | string[]>;
  for (const [key, setting] of Object.entries(SETTINGS)) {
    out[key] = number(env, setting.env, setting.default, setting.min) * setting.scale;
  }
  const perHost = out.perHost as number;
  const sized = Math.max(2, Math.min(Math.ceil(workers / perHost) + 1, availableParallelism() * 2));
  out.maxHosts = number(env, 'WEFT_HOSTS_PER_CONNECTOR', sized, 1);
  const allow = (env.WEFT_EGRESS_ALLOW ?? '').split(',').filter((e) => e.trim());
  const invalid = invalidAllowEntries(allow);
  if (invalid.length) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `WEFT_EGRESS_ALLOW has entries that are not an address, a CIDR range or either with :port: ${invalid.join(', ')}`,
    );
  }
  out.egressAllow = allow;
  return out as unknown as IsolationOptions;
}
