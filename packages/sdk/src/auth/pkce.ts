/**
 * PKCE (RFC 7636, S256 only) and the `state` value of an authorization request. The random
 * values come from oauth4webapi (32 random bytes, base64url).
 */
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from 'oauth4webapi';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

export async function createPkcePair(): Promise<PkcePair> {
  const codeVerifier = generateRandomCodeVerifier();
  return { codeVerifier, codeChallenge: await calculatePKCECodeChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/** An unguessable `state` that ties the callback to the request we started. */
export function createState(): string {
  return generateRandomState();
}
