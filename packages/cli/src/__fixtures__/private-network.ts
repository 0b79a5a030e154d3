/**
 * A real private network for the on-premises agent tests: a Linux network namespace joined to
 * the root namespace (where the Weft server runs) by a veth pair on a private /30. Processes
 * started here run inside the namespace (`ip netns exec`); the namespace's loopback is its own,
 * so a server listening on 127.0.0.1 inside it cannot be reached from outside, while a process
 * inside can dial out to the root end of the veth, as an agent in a company network dials out
 * to Weft. Names given to `hosts` resolve to the namespace's loopback inside it only (`ip netns
 * exec` mounts `/etc/netns/NAME/hosts` over `/etc/hosts`).
 *
 * It needs Linux, root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2's `ip`. When any is missing,
 * `createPrivateNetwork` throws `PrivateNetworkUnavailable` naming why: the tests fail, never
 * skip. `close()` kills what runs inside and deletes the namespace (the veth goes with it);
 * namespaces left by a test process that died are deleted by the next `createPrivateNetwork`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BIN, type RunningWeft, startProcess } from '../test-helpers.js';

const PREFIX = 'weft-test-';
const NETNS_ETC = '/etc/netns';
const PRIVATE_API = fileURLToPath(new URL('./private-network/private-api.mjs', import.meta.url));

/** Why the private network cannot be made here (the test fails with this message). */
export class PrivateNetworkUnavailable extends Error {
  constructor(reason: string) {
    super(
      `The private-network tests need Linux network namespaces, and cannot make one here: ${reason}. ` +
        'They run as root with iproute2 installed, as CI does; see docs/testing.md "Weft\'s own tests".',
    );
    this.name = 'PrivateNetworkUnavailable';
  }
}

export interface PrivateApi {
  /** The URL the agent (inside the namespace) reaches it by, e.g. `http://erp.internal:40123`. */
  url: string;
  host: string;
  port: number;
  process: RunningWeft;
}

export interface PrivateNetwork {
  /** The namespace's name (`weft-test-<pid>-<hex>`). */
  name: string;
  /** The root namespace's end of the veth: where processes inside reach the Weft server. */
  rootAddress: string;
  /** The namespace's end of the veth. */
  innerAddress: string;
  /** Runs `command ...args` inside the namespace; `close()` kills it. */
  start(command: string, args: string[], options?: { env?: Record<string, string> }): RunningWeft;
  /** Runs `weft ...args` (the built binary) inside the namespace. */
  weft(args: string[], options?: { env?: Record<string, string> }): RunningWeft;
  /**
   * Starts the private API inside the namespace, on its loopback, under `host` (one of the
   * names given to `hosts`, else 127.0.0.1) and a port that is free in the root namespace too,
   * so that a call to 127.0.0.1:port from outside finds nothing rather than another server.
   */
  startPrivateApi(host?: string): Promise<PrivateApi>;
  /** Takes the veth link down (`false`) or up again (`true`): the network drops or returns. */
  setLink(up: boolean): Promise<void>;
  /** Kills every process started inside and deletes the namespace. Safe to call twice. */
  close(): Promise<void>;
}

function ipCommand(): string | undefined {
  return ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((path) => existsSync(path));
}

function run(ip: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ip, args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`\`ip ${args.join(' ')}\` failed: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces this fixture made in test processes that are gone. */
async function deleteStale(ip: string): Promise<void> {
  const listed = await run(ip, ['netns', 'list']);
  for (const line of listed.split('\n')) {
    const match = new RegExp(`^(${PREFIX}(\\d+)-[0-9a-f]+)`).exec(line.trim());
    if (!match || alive(Number(match[2]))) continue;
    await run(ip, ['netns', 'del', match[1]]).catch(() => {});
    await rm(`${NETNS_ETC}/${match[1]}`, { recursive: true, force: true });
  }
}

function toInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** `[first, last]` of an IPv4 CIDR. */
function range(cidr: string): [number, number] {
  const [address, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(toInt(address) / size) * size;
  return [first, first + size - 1];
}

/** A /30 in 10.213.0.0/16 that no address or route of the root namespace overlaps. */
async function freeSubnet(ip: string): Promise<{ root: string; inner: string }> {
  const taken = [
    ...(await run(ip, ['-o', '-4', 'addr', 'show'])).matchAll(/inet (\d+\.\d+\.\d+\.\d+\/\d+)/g),
    ...(await run(ip, ['-4', 'route', 'show', 'table', 'all'])).matchAll(/^(?:\S+ )?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)/gm),
  ].map((m) => range(m[1]));
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = `10.213.${randomInt(256)}.${4 * randomInt(64)}`;
    const [first, last] = range(`${base}/30`);
    if (taken.some(([a, b]) => a <= last && first <= b)) continue;
    const [a, b, c, d] = base.split('.').map(Number);
    return { root: `${a}.${b}.${c}.${d + 1}`, inner: `${a}.${b}.${c}.${d + 2}` };
  }
  throw new PrivateNetworkUnavailable('no free /30 in 10.213.0.0/16 after 50 tries');
}

/** A TCP port nothing listens on in this (the root) namespace right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Makes the namespace, the veth pair and their addresses; see the module's comment. */
export async function createPrivateNetwork(options: { hosts?: string[] } = {}): Promise<PrivateNetwork> {
  if (process.platform !== 'linux') throw new PrivateNetworkUnavailable(`this is ${process.platform}, not Linux`);
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new PrivateNetworkUnavailable(
      `the tests run as uid ${uid}, not root (creating a namespace and its links takes CAP_SYS_ADMIN and CAP_NET_ADMIN); run them as root, e.g. sudo npx vitest run`,
    );
  }
  const ip = ipCommand();
  if (!ip) throw new PrivateNetworkUnavailable("iproute2's `ip` is not installed (apt-get install iproute2)");
  await deleteStale(ip).catch(() => {});

  const id = randomBytes(3).toString('hex');
  const name = `${PREFIX}${process.pid}-${id}`;
  const rootLink = `wft${id}r`;
  const innerLink = `wft${id}n`;
  const etc = `${NETNS_ETC}/${name}`;
  const madeEtc = !existsSync(NETNS_ETC);
  const running = new Set<RunningWeft>();

  const deleteSync = () => {
    for (const child of running) {
      if (child.pid && alive(child.pid)) process.kill(child.pid, 'SIGKILL');
    }
    try {
      execFileSync(ip, ['netns', 'del', name], { stdio: 'ignore' });
    } catch {}
  };
  const teardown = async () => {
    process.off('exit', deleteSync);
    await Promise.all([...running].map((child) => child.stop('SIGKILL')));
    running.clear();
    await run(ip, ['link', 'del', rootLink]).catch(() => {});
    await run(ip, ['netns', 'del', name]).catch(() => {});
    await rm(etc, { recursive: true, force: true });
    if (madeEtc) await rmdir(NETNS_ETC).catch(() => {});
  };

  try {
    await run(ip, ['netns', 'add', name]);
  } catch (error) {
    throw new PrivateNetworkUnavailable(
      `${(error as Error).message} (a container needs CAP_NET_ADMIN and CAP_SYS_ADMIN, e.g. docker run --cap-add NET_ADMIN --cap-add SYS_ADMIN, or --privileged)`,
    );
  }
  process.once('exit', deleteSync);
  let addresses: { root: string; inner: string };
  try {
    addresses = await freeSubnet(ip);
    await run(ip, ['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', innerLink]);
    await run(ip, ['link', 'set', innerLink, 'netns', name]);
    await run(ip, ['addr', 'add', `${addresses.root}/30`, 'dev', rootLink]);
    await run(ip, ['link', 'set', rootLink, 'up']);
    await run(ip, ['-n', name, 'addr', 'add', `${addresses.inner}/30`, 'dev', innerLink]);
    await run(ip, ['-n', name, 'link', 'set', innerLink, 'up']);
    await run(ip, ['-n', name, 'link', 'set', 'lo', 'up']);
    await mkdir(etc, { recursive: true });
    const names = ['localhost', ...(options.hosts ?? [])].join(' ');
    await writeFile(`${etc}/hosts`, `127.0.0.1 ${names}\n::1 localhost\n`);
  } catch (error) {
    await teardown();
    throw error instanceof PrivateNetworkUnavailable ? error : new PrivateNetworkUnavailable((error as Error).message);
  }

  const start: PrivateNetwork['start'] = (command, args, startOptions = {}) => {
    const child = startProcess(ip, ['netns', 'exec', name, command, ...args], startOptions);
    running.add(child);
    child.exited.then(() => running.delete(child));
    return child;
  };
  return {
    name,
    rootAddress: addresses.root,
    innerAddress: addresses.inner,
    start,
    weft: (args, startOptions) => start(process.execPath, [BIN, ...args], startOptions),
    async startPrivateApi(host = '127.0.0.1') {
      const port = await freePort();
      const child = start(process.execPath, [PRIVATE_API, '127.0.0.1', String(port)]);
      await child.waitFor(/listening on/, { stream: 'stdout' });
      return { url: `http://${host}:${port}`, host, port, process: child };
    },
    async setLink(up) {
      await run(ip, ['link', 'set', rootLink, up ? 'up' : 'down']);
    },
    close: teardown,
  };
}
