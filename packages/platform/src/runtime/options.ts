/**
 * Runtime settings, from the environment with defaults. Tests pass them directly (a 1 s
 * `reinvokeMinSeconds`, fast retries).
 */
import { WeftError } from '@weft/sdk';

export interface RuntimeOptions {
  /** Jobs run at once over all recipes (`WEFT_WORKERS`, default 32). */
  workers: number;
  /** Least time between the steps of a multistep action (`WEFT_REINVOKE_MIN_SECONDS`, default 60). */
  reinvokeMinSeconds: number;
  /** Attempts of a job whose step failed with a retryable error or was cut by a stop of the server (`WEFT_JOB_MAX_ATTEMPTS`, default 3). */
  jobMaxAttempts: number;
  /** First retry delay; doubles per attempt (`WEFT_JOB_RETRY_BASE_MS`, default 5000). */
  jobRetryBaseMs: number;
  /** Finished jobs older than this are deleted (`WEFT_JOB_RETENTION_DAYS`, default 30; 0 keeps all). */
  jobRetentionDays: number;
  /** Largest webhook body accepted, in bytes (`WEFT_WEBHOOK_BODY_LIMIT`, default 1 MiB). */
  webhookBodyLimit: number;
  /** Longest run of one formula, in ms (`WEFT_FORMULA_TIMEOUT_MS`, default 1000). */
  formulaTimeoutMs: number;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  workers: 32,
  reinvokeMinSeconds: 60,
  jobMaxAttempts: 3,
  jobRetryBaseMs: 5000,
  jobRetentionDays: 30,
  webhookBodyLimit: 1024 * 1024,
  formulaTimeoutMs: 1000,
};

const ENV: Record<keyof RuntimeOptions, string> = {
  workers: 'WEFT_WORKERS',
  reinvokeMinSeconds: 'WEFT_REINVOKE_MIN_SECONDS',
  jobMaxAttempts: 'WEFT_JOB_MAX_ATTEMPTS',
  jobRetryBaseMs: 'WEFT_JOB_RETRY_BASE_MS',
  jobRetentionDays: 'WEFT_JOB_RETENTION_DAYS',
  webhookBodyLimit: 'WEFT_WEBHOOK_BODY_LIMIT',
  formulaTimeoutMs: 'WEFT_FORMULA_TIMEOUT_MS',
};

const MINIMUM: Record<keyof RuntimeOptions, number> = {
  workers: 1,
  reinvokeMinSeconds: 0,
  jobMaxAttempts: 1,
  jobRetryBaseMs: 0,
  jobRetentionDays: 0,
  webhookBodyLimit: 1024,
  formulaTimeoutMs: 10,
};

/** Defaults, overridden by the environment, overridden by `given`. A bad variable stops the start. */
export function runtimeOptions(env: NodeJS.ProcessEnv, given: Partial<RuntimeOptions> = {}): RuntimeOptions {
  const options = { ...DEFAULT_RUNTIME_OPTIONS };
  for (const key of Object.keys(ENV) as (keyof RuntimeOptions)[]) {
    const raw = env[ENV[key]]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < MINIMUM[key] || (key !== 'reinvokeMinSeconds' && !Number.isInteger(value))) {
      throw new WeftError(
        'SETTINGS_INVALID',
        `${ENV[key]} must be a ${key === 'reinvokeMinSeconds' ? 'number' : 'whole number'} of at least ${MINIMUM[key]}, got "${raw}"`,
      );
    }
    options[key] = value;
  }
  return { ...options, ...given };
}
