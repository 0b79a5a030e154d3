/**
 * `weft serve`: start the runtime and say where it is and how to log in.
 */
import { UsageError } from '@weft/sdk';
import type { ServeFlags } from '../flags.js';
import type { Reporter } from '../report.js';

export async function serveCommand(flags: ServeFlags, reporter: Reporter): Promise<number> {
  try {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be a port number (0-65535), got "${flags.port}"`);
    }
    const { startServer } = await import('@weft/platform');
    const server = await startServer({
      port,
      host: flags.host,
      connectorDirs: flags.connectors,
      database: flags.database,
      roles: flags.role,
      // Given: off. Not given: the environment decides (WEFT_BUILTINS), else on.
      builtins: flags.builtins === false ? false : undefined,
    });
    const names = server.registry
      .list()
      .filter((c) => !c.builtin)
      .map((c) => c.name);
    const lines = [
      `Weft is running at ${server.url}`,
      `  console: ${server.url}/`,
      `  API: ${server.url}/api  (description: ${server.url}/api/openapi.json)`,
      server.token.source === 'env'
        ? '  log in with the token in WEFT_ADMIN_TOKEN'
        : `  log in with the admin token in ${server.token.file}${server.token.source === 'created' ? ' (created now)' : ''}`,
      `  data: ${server.database ?? server.home}${server.database ? ` (keys and token in ${server.home})` : ''}`,
      `  connectors: ${names.length ? names.join(', ') : 'none'}`,
      `  roles: ${[...server.context.cluster.roles].join(', ')}`,
    ];
    const builtins = server.registry
      .list()
      .filter((c) => c.builtin)
      .map((c) => c.name);
    if (builtins.length) lines.splice(lines.length - 1, 0, `  built-in connectors: ${builtins.join(', ')}`);
    for (const problem of server.registry.problems) {
      lines.push(`  ! ${problem.folder}: ${problem.message.split('\n')[0]}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      return reporter.fail(new UsageError(`Port ${flags.port} on ${flags.host} is in use: choose another with --port`));
    }
    return reporter.fail(error);
  }
}
