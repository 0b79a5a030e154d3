/**
 * Hosts outlive a server that is killed with SIGKILL (they are its children, not its threads):
 * an idle host exits when its IPC channel closes, but one stuck in a loop would not. Each host
 * is written down in a folder while it runs (`<pid>`), and the next server to start kills those
 * that are still connector hosts (checked by their command line) before it starts its own.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HOST_ENTRY = 'host-main.js';

export class HostPids {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Kills the hosts a previous server left running; returns how many. */
  reap(): number {
    let killed = 0;
    for (const name of readdirSync(this.dir)) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        const cmdline = (() => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          } catch {
            return '';
          }
        })();
        if (cmdline.includes(HOST_ENTRY)) {
          try {
            process.kill(pid, 'SIGKILL');
            killed++;
          } catch {
            // gone meanwhile
          }
        }
      }
      rmSync(join(this.dir, name), { force: true });
    }
    return killed;
  }

  add(pid: number | undefined): void {
    if (pid !== undefined) writeFileSync(join(this.dir, String(pid)), '', { mode: 0o600 });
  }

  remove(pid: number | undefined): void {
    if (pid !== undefined) rmSync(join(this.dir, String(pid)), { force: true });
  }
}
