/**
 * The egress guard of a connector host: connector code may reach the network, but not the Weft
 * server's own listening ports (on any address of this machine) nor link-local addresses (the
 * cloud metadata services at 169.254.169.254 and friends), unless `WEFT_EGRESS_ALLOW` lists
 * them. Checked where every TCP connection of the process is made (`net.Socket#connect`: plain
 * sockets, `http`, `https`, `fetch` and undici alike), on the resolved address, so DNS names
 * and redirects are checked the same way. Pure rules here; `installEgressGuard` applies them.
 */
import { BlockList, isIP } from 'node:net';

export interface EgressRules {
  /** Ports the server listens on: refused on loopback, unspecified and this machine's own addresses. */
  serverPorts: number[];
  /** This machine's addresses (from `os.networkInterfaces()` in the server). */
  localAddresses: string[];
  /** `WEFT_EGRESS_ALLOW`: entries `address`, `address/prefix`, optionally `:port` (`[v6]:port`). */
  allow: string[];
}

interface AllowEntry {
  list: BlockList;
  port?: number;
}

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
LINK_LOCAL.addAddress('fd00:ec2::254', 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('0.0.0.0', 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** `::ffff:169.254.169.254` is checked as the IPv4 address it maps. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : address;
}

/** Parses one `WEFT_EGRESS_ALLOW` entry; undefined when it is not one. */
export function parseAllowEntry(entry: string): AllowEntry | undefined {
  let text = entry.trim();
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    text = v6[1];
    port = v6[2] ? Number(v6[2]) : undefined;
  } else {
    const v4 = /^([^:]+):(\d+)$/.exec(text);
    if (v4) {
      text = v4[1];
      port = Number(v4[2]);
    }
  }
  const [address, prefix] = text.split('/');
  if (!isIP(address)) return undefined;
  const list = new BlockList();
  if (prefix === undefined) list.addAddress(address, family(address));
  else {
    const bits = Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family(address) === 'ipv6' ? 128 : 32)) return undefined;
    list.addSubnet(address, bits, family(address));
  }
  return { list, port };
}

/** The entries of `WEFT_EGRESS_ALLOW` that do not parse (for a startup error). */
export function invalidAllowEntries(allow: string[]): string[] {
  return allow.filter((entry) => entry.trim() && !parseAllowEntry(entry));
}

export type EgressCheck = (address: string, port: number) => string | undefined;

/** A check: the reason an address and port are refused, or undefined when they may be reached. */
export function egressCheck(rules: EgressRules): EgressCheck {
  const allow = rules.allow.map(parseAllowEntry).filter((e): e is AllowEntry => e !== undefined);
  const local = new Set(rules.localAddresses.map((a) => unmapped(a).toLowerCase()));
  const ports = new Set(rules.serverPorts);
  return (raw, port) => {
    const address = unmapped(raw).toLowerCase();
    const kind = family(address);
    if (allow.some((e) => (e.port === undefined || e.port === port) && e.list.check(address, kind))) return undefined;
    if (LINK_LOCAL.check(address, kind)) return `${raw}, a link-local address where cloud metadata services answer`;
    if (ports.has(port) && (LOOPBACK.check(address, kind) || local.has(address))) {
      return `${raw}:${port}, the Weft server's own port`;
    }
    return undefined;
  };
}
