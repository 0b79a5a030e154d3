/**
 * A connector host may signal only itself. Node's permission model does not cover signals, and
 * a host runs as the server's user: without this, `process.kill(process.ppid)` (or the process
 * group, `process.kill(0)`) would stop the server. `process.kill` goes through `process._kill`,
 * which is replaced (once, not writable) by one that refuses every other pid.
 */
type RawKill = (pid: number, signal: number) => number;

export function installSignalGuard(): void {
  const holder = process as unknown as { _kill: RawKill };
  const raw = holder._kill.bind(process);
  const guarded: RawKill = (pid, signal) => {
    if (Number(pid) !== process.pid) {
      const error = new Error(`Access to this API has been restricted: signal to process ${pid}`);
      Object.assign(error, { code: 'ERR_ACCESS_DENIED', permission: 'Signal', resource: String(pid) });
      throw error;
    }
    return raw(pid, signal);
  };
  Object.defineProperty(process, '_kill', { value: guarded, writable: false, configurable: false });
}
