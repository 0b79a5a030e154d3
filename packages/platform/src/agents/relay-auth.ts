/**
 * How the processes of a cluster trust each other's relays (relay.ts): with a key every process
 * derives from the master key it already shares (`Vault.derive`), never sent. A caller signs
 * its node id, the time and the agent group with it (HMAC-SHA256); the peer checks the
 * signature in constant time and the time within a minute either way, before the WebSocket
 * upgrade. A signature seen on the wire opens one relay, to that group, for that minute.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The internal WebSocket route every process serves, whatever its roles. */
export const RELAY_PATH = '/agents/relay';
const SCHEME = 'WeftRelay';
const SKEW_MS = 60_000;
const NODE_ID = /^[A-Za-z0-9._-]{1,200}$/;

export class RelayCredential {
  /** @param keys derived keys: the first signs; any of them verifies (a master key rotation). */
  constructor(private readonly keys: readonly Buffer[]) {
    if (!keys.length) throw new TypeError('a relay credential needs a key');
  }

  /** The `Authorization` header of a relay to `group`, from `nodeId`. */
  sign(nodeId: string, group: string, at = Date.now()): string {
    return `${SCHEME} ${nodeId}.${at}.${mac(this.keys[0], nodeId, at, group)}`;
  }

  /** The caller's node id when `header` is a valid, current signature for `group`; else undefined. */
  verify(header: string | undefined, group: string, at = Date.now()): string | undefined {
    const match = /^WeftRelay (\S+)\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(header ?? '');
    if (!match || !NODE_ID.test(match[1])) return undefined;
    const [, nodeId, time, given] = match;
    if (Math.abs(at - Number(time)) > SKEW_MS) return undefined;
    const signature = Buffer.from(given, 'base64url');
    const ok = this.keys.some((key) => {
      const expected = Buffer.from(mac(key, nodeId, Number(time), group), 'base64url');
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    });
    return ok ? nodeId : undefined;
  }
}

function mac(key: Buffer, nodeId: string, at: number, group: string): string {
  return createHmac('sha256', key).update(`${nodeId}\n${at}\n${group}`, 'utf8').digest('base64url');
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
