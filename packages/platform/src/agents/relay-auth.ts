/**
 * How the processes of a cluster trust each other's relays (relay.ts): with a key every process
 * derives from the master key it already shares (`Vault.derive`), never sent. A caller signs
 * its node id, the node id of the peer it calls, the time, a fresh nonce and the agent group
 * with it (HMAC-SHA256); the peer checks the signature in constant time, that the signature is
 * meant for it, the time within a minute either way, and that it has not seen the signature
 * before, all before the WebSocket upgrade. So a signature seen on the wire opens nothing: it
 * was used once, by the process that made it, on the one peer it names.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The internal WebSocket route every process serves, whatever its roles. */
export const RELAY_PATH = '/agents/relay';
const SCHEME = 'WeftRelay';
const SKEW_MS = 60_000;
const NODE_ID = /^[A-Za-z0-9._-]{1,200}$/;
const HEADER = /^WeftRelay (\S+)\.(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/**
 * Signatures remembered at most (each for the two minutes its time is valid). Relays are opened
 * once per peer and group and then kept, so a full memory means a flood: refused until it drains.
 */
const MAX_SEEN = 50_000;
/** Past this many, expired signatures are forgotten on the next check. */
const PRUNE_AT = 1024;

export class RelayCredential {
  /** Signatures already used, with when each stops being valid anyway. */
  private readonly seen = new Map<string, number>();

  /** @param keys derived keys: the first signs; any of them verifies (a master key rotation). */
  constructor(private readonly keys: readonly Buffer[]) {
    if (!keys.length) throw new TypeError('a relay credential needs a key');
  }

  /** The `Authorization` header of a relay from the process `from` to the process `to`, for `group`. */
  sign(from: string, to: string, group: string, at = Date.now()): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${SCHEME} ${from}.${at}.${nonce}.${mac(this.keys[0], { from, to, at, nonce, group })}`;
  }

  /**
   * The caller's node id when `header` is a valid, current signature for `group` made for this
   * process (`self`) and not used before; else undefined. A valid one is used up by this call.
   */
  verify(header: string | undefined, self: string, group: string, at = Date.now()): string | undefined {
    const match = HEADER.exec(header ?? '');
    if (!match || !NODE_ID.test(match[1])) return undefined;
    const [, from, time, nonce, given] = match;
    if (Math.abs(at - Number(time)) > SKEW_MS) return undefined;
    const signature = Buffer.from(given, 'base64url');
    const fields = { from, to: self, at: Number(time), nonce, group };
    const ok = this.keys.some((key) => {
      const expected = Buffer.from(mac(key, fields), 'base64url');
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    });
    return ok && this.firstUse(given, Number(time) + SKEW_MS, at) ? from : undefined;
  }

  /** Records a signature; false when it was used before (a replay) or too many are remembered. */
  private firstUse(signature: string, until: number, now: number): boolean {
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= PRUNE_AT) {
      for (const [known, expires] of this.seen) if (expires < now) this.seen.delete(known);
      if (this.seen.size >= MAX_SEEN) return false;
    }
    this.seen.set(signature, until);
    return true;
  }
}

interface Signed {
  from: string;
  to: string;
  at: number;
  nonce: string;
  group: string;
}

function mac(key: Buffer, { from, to, at, nonce, group }: Signed): string {
  return createHmac('sha256', key).update(`${from}\n${to}\n${at}\n${nonce}\n${group}`, 'utf8').digest('base64url');
}

/** `http(s)://host:port[/base]` of a peer → `ws(s)://…/agents/relay?group=<group>`. */
export function relayUrl(internalUrl: string, group: string): URL {
  const url = new URL(internalUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${RELAY_PATH}`;
  url.search = new URLSearchParams({ group }).toString();
  url.hash = '';
  return url;
}
