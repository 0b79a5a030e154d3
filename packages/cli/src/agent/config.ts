/**
 * The agent's configuration file (`weft agent --config agent.yaml`): the targets it may reach,
 * nothing else. Each target is `{ host, port, scheme }`, with optional PEM files for TLS: `ca`
 * (a private certificate authority to trust) and `cert` with `key` (a client certificate), read
 * relative to the file, and an optional `timeoutSeconds` (for the whole file or per target): how
 * long the agent waits to connect to the target, for its response, and between bytes of its
 * body (never longer than the request's own timeout). The file holds no connection secrets:
 * those stay in Weft.
 *
 *     timeoutSeconds: 30
 *     targets:
 *       - { host: erp.corp.internal, port: 443, scheme: https, ca: ./corp-ca.pem }
 *       - { host: 10.0.4.12, port: 8080, scheme: http, timeoutSeconds: 5 }
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AllowedTarget } from '@weft/platform/agents';
import { UsageError } from '@weft/sdk';
import { parse } from 'yaml';

export interface Target extends AllowedTarget {
  ca?: string;
  cert?: string;
  key?: string;
  /** The target's `timeoutSeconds` (else the file's), in ms; undefined: the request's timeout only. */
  timeoutMs?: number;
}

export interface AgentConfig {
  targets: Target[];
}

const KEYS = new Set(['host', 'port', 'scheme', 'ca', 'cert', 'key', 'timeoutSeconds']);
const TOP_KEYS = new Set(['targets', 'timeoutSeconds']);
/** The longest `timeoutSeconds` taken: an hour. */
const MAX_TIMEOUT_SECONDS = 3600;

function bad(file: string, message: string): UsageError {
  return new UsageError(`${file}: ${message}`, 'SETTINGS_INVALID');
}

/** `timeoutSeconds` in ms, checked (a positive number of seconds, at most an hour). */
function timeoutOf(file: string, at: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_SECONDS) {
    throw bad(file, `${at}timeoutSeconds must be a number of seconds above 0, at most ${MAX_TIMEOUT_SECONDS}`);
  }
  return Math.ceil(value * 1000);
}

export async function loadAgentConfig(file: string | undefined): Promise<AgentConfig> {
  if (file === undefined) return { targets: [] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw bad(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw bad(file, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const top =
    Array.isArray(doc) || doc === null || typeof doc !== 'object' ? undefined : (doc as Record<string, unknown>);
  const list = Array.isArray(doc) ? doc : top?.targets;
  if (!Array.isArray(list)) throw bad(file, 'must hold `targets:`, a list of { host, port, scheme }');
  const misnamed = Object.keys(top ?? {}).find((k) => !TOP_KEYS.has(k));
  if (misnamed) throw bad(file, `${misnamed} is not a setting (use targets, timeoutSeconds)`);
  const fileTimeout = timeoutOf(file, '', top?.timeoutSeconds);
  const base = dirname(resolve(file));
  const targets: Target[] = [];
  for (const [i, entry] of list.entries()) {
    const at = `targets[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw bad(file, `${at} must be a mapping`);
    const t = entry as Record<string, unknown>;
    const unknown = Object.keys(t).find((k) => !KEYS.has(k));
    if (unknown) {
      throw bad(file, `${at}.${unknown} is not a setting (use host, port, scheme, ca, cert, key, timeoutSeconds)`);
    }
    if (t.scheme !== 'http' && t.scheme !== 'https') throw bad(file, `${at}.scheme must be http or https`);
    if (typeof t.host !== 'string' || !/^[A-Za-z0-9.:_-]+$/.test(t.host)) {
      throw bad(file, `${at}.host must be a host name or an IP address`);
    }
    if (!Number.isInteger(t.port) || (t.port as number) < 1 || (t.port as number) > 65535) {
      throw bad(file, `${at}.port must be a port number (1-65535)`);
    }
    if ((t.cert === undefined) !== (t.key === undefined)) throw bad(file, `${at}: cert and key go together`);
    if ((t.ca !== undefined || t.cert !== undefined) && t.scheme !== 'https') {
      throw bad(file, `${at}: ca, cert and key are for https targets`);
    }
    const target: Target = { host: t.host.toLowerCase(), port: t.port as number, scheme: t.scheme };
    const timeoutMs = timeoutOf(file, `${at}.`, t.timeoutSeconds) ?? fileTimeout;
    if (timeoutMs !== undefined) target.timeoutMs = timeoutMs;
    for (const pem of ['ca', 'cert', 'key'] as const) {
      const path = t[pem];
      if (path === undefined) continue;
      if (typeof path !== 'string') throw bad(file, `${at}.${pem} must be a file path`);
      try {
        target[pem] = await readFile(resolve(base, path), 'utf8');
      } catch (error) {
        throw bad(file, `${at}.${pem}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    targets.push(target);
  }
  return { targets };
}
