/**
 * JWT helpers on every context (SPEC §4): `ctx.jwtEncode(payload, key, alg)` signs a compact JWS,
 * `ctx.jwtDecode(token, key?)` reads one and, given a key, verifies it. Built on `jose`.
 *
 * Keys: a string (or bytes) is the shared secret of HS256/384/512; RS*, PS* and ES* take PEM
 * keys — a private key (PKCS#8, PKCS#1 or SEC1) to sign; a public key, a certificate or the
 * private key to verify.
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import {
  type CompactJWSHeaderParameters,
  CompactSign,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from 'jose';
import { WeftError } from '../errors.js';

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export type JwtKey = string | Uint8Array;

export interface JwtEncodeOptions {
  /** Extra protected header fields (`kid`, `typ`, ...); `alg` is always the chosen algorithm. */
  header?: Record<string, unknown>;
  /** Sets `exp`: seconds from now, or a span like `"10m"`, `"1h"`, `"2d"`. */
  expiresIn?: number | string;
}

export interface JwtDecodeOptions {
  /** Accepted algorithms (default: those that fit the key). */
  algorithms?: readonly JwtAlgorithm[];
  issuer?: string | string[];
  audience?: string | string[];
  subject?: string;
  /** Seconds of leeway for `exp`/`nbf` (default 0). */
  clockTolerance?: number;
}

export interface DecodedJwt {
  payload: Record<string, unknown>;
  header: Record<string, unknown>;
}

function isAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(alg);
}

function isPem(key: JwtKey): key is string {
  return typeof key === 'string' && key.includes('-----BEGIN ');
}

const SPAN = /^\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds of a `expiresIn` value. */
export function spanSeconds(value: number | string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  const m = typeof value === 'string' ? SPAN.exec(value) : null;
  if (!m) {
    throw new WeftError('JWT_INVALID', `jwtEncode: expiresIn must be seconds or a span like "10m", got ${value}`);
  }
  return Number(m[1]) * UNIT_SECONDS[m[2][0].toLowerCase()];
}

function signingKey(key: JwtKey, alg: JwtAlgorithm): KeyObject {
  try {
    if (alg.startsWith('HS')) {
      if (isPem(key)) throw new Error('HS algorithms take a shared secret, not a PEM key');
      return createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
    }
    if (!isPem(key)) throw new Error(`${alg} needs a PEM private key`);
    return createPrivateKey(key);
  } catch (error) {
    throw new WeftError('JWT_INVALID', `jwtEncode: unusable ${alg} key: ${(error as Error).message}`);
  }
}

function verifyingKey(key: JwtKey): KeyObject {
  try {
    if (!isPem(key)) return createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
    return createPublicKey(key); // also accepts certificates and private keys
  } catch (error) {
    throw new WeftError('JWT_INVALID', `jwtDecode: unusable key: ${(error as Error).message}`);
  }
}

/** Algorithms a key can verify: a secret only HS, an RSA key RS and PS, an EC key ES. */
function algorithmsFor(key: KeyObject): JwtAlgorithm[] {
  if (key.type === 'secret') return ['HS256', 'HS384', 'HS512'];
  if (key.asymmetricKeyType === 'ec') return ['ES256', 'ES384', 'ES512'];
  return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
}

export async function jwtEncode(
  payload: Record<string, unknown>,
  key: JwtKey,
  alg: JwtAlgorithm = 'HS256',
  options: JwtEncodeOptions = {},
  now: Date = new Date(),
): Promise<string> {
  if (!isAlgorithm(alg)) {
    throw new WeftError('JWT_INVALID', `jwtEncode: unsupported algorithm "${alg}" (use ${JWT_ALGORITHMS.join(', ')})`);
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new WeftError('JWT_INVALID', 'jwtEncode: the payload must be an object of claims');
  }
  const claims: Record<string, unknown> = { ...payload };
  if (options.expiresIn !== undefined) {
    claims.exp = Math.floor(now.getTime() / 1000) + spanSeconds(options.expiresIn);
  }
  const header: CompactJWSHeaderParameters = { typ: 'JWT', ...(options.header ?? {}), alg };
  try {
    return await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader(header)
      .sign(signingKey(key, alg));
  } catch (error) {
    if (error instanceof WeftError) throw error;
    throw new WeftError('JWT_INVALID', `jwtEncode: ${(error as Error).message}`);
  }
}

export async function jwtDecode(
  token: string,
  key?: JwtKey,
  options: JwtDecodeOptions = {},
  now: Date = new Date(),
): Promise<DecodedJwt> {
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new WeftError('JWT_INVALID', 'jwtDecode: not a JWT (expected three dot-separated parts)');
  }
  if (key === undefined || key === null || key === '') {
    try {
      return { payload: decodeJwt(token) as Record<string, unknown>, header: decodeProtectedHeader(token) };
    } catch (error) {
      throw new WeftError('JWT_INVALID', `jwtDecode: malformed JWT: ${(error as Error).message}`);
    }
  }
  const keyObject = verifyingKey(key);
  const allowed = options.algorithms ?? algorithmsFor(keyObject);
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keyObject, {
      algorithms: [...allowed],
      issuer: options.issuer,
      audience: options.audience,
      subject: options.subject,
      clockTolerance: options.clockTolerance,
      currentDate: now,
    });
    return { payload: payload as Record<string, unknown>, header: protectedHeader as Record<string, unknown> };
  } catch (error) {
    throw new WeftError('JWT_INVALID', `jwtDecode: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this key does not allow';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" is invalid: ${error.message}`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return `malformed JWT: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
