/**
 * `weft mcp <connector>`: serve the connector's actions as Model Context Protocol tools over
 * stdio, for an AI assistant (Claude Desktop or any MCP client). Tools are listed and called
 * through @weft/sdk/runtime's tool helpers, with the settings file's connection, where
 * `weft exec` runs connector code (this process, or a connector host with --isolate).
 * stdout carries MCP only: logs, notes and the connector's console output go to stderr.
 */
import { dirname, resolve } from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, type JSONRPCMessage, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { UsageError } from '@weft/sdk';
import type { RunOptions } from '@weft/sdk/operations';
import { actionOfTool, callTool, closeHttp, listTools, type ToolSource, toolError } from '@weft/sdk/runtime';
import type { McpFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { defaultSettingsFile, type LoadedSettings, loadSettings, saveConnection } from '../settings.js';
import { type ExecRuntime, execRuntime } from './exec-runtime.js';

const VERSION = '0.1.0';

/** Connector code that writes to the console must not break the protocol on stdout. */
function consoleToStderr(): void {
  for (const method of ['log', 'info', 'debug'] as const) {
    console[method] = (...args: unknown[]) => console.error(...args);
  }
}

/**
 * stdio that knows how many requests it has read and not yet answered: a client may write its
 * requests and close stdin right away, and still gets every answer.
 */
class AnsweringStdio extends StdioServerTransport {
  private open = 0;
  private waiting: (() => void) | undefined;

  override async start(): Promise<void> {
    const deliver = this.onmessage;
    this.onmessage = (message: JSONRPCMessage) => {
      if ('method' in message && 'id' in message) this.open++;
      deliver?.(message);
    };
    await super.start();
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    await super.send(message);
    if ('id' in message && !('method' in message) && --this.open <= 0) this.waiting?.();
  }

  /** Resolves once every request read has been answered. */
  idle(): Promise<void> {
    return this.open <= 0 ? Promise.resolve() : new Promise((done) => (this.waiting = done));
  }
}

/** Resolves when the client goes away (stdin ends) or a signal asks us to stop. */
function untilClosed(server: Server, transport: AnsweringStdio): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.stdin.off('end', stop);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void transport
        .idle()
        .then(() => server.close())
        .then(done, done);
    };
    process.stdin.once('end', stop);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function runOptions(settings: LoadedSettings | undefined, reporter: Reporter): RunOptions {
  return {
    connection: settings?.connection ?? {},
    mode: 'interactive',
    onExchange: reporter.verbose ? (log) => reporter.exchange(log) : undefined,
    onLog: (level, message, data) => reporter.log(level, message, data),
    // Refreshed tokens are kept: a rotated refresh token that is not saved leaves the connection unusable.
    onConnectionUpdate: settings
      ? async () => {
          await saveConnection(settings);
          reporter.note(`weft: updated connection values written to ${settings.file}`);
        }
      : undefined,
  };
}

export function mcpServer(source: ToolSource, reporter: Reporter): Server {
  const server = new Server(
    { name: 'weft', title: `Weft: ${source.connector.title}`, version: VERSION },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools, problems } = await listTools(source);
    for (const problem of problems) reporter.note(`weft: tool left out: ${problem}`);
    return { tools };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const action = actionOfTool(source, request.params.name);
    if (!action) return toolError(`No tool named "${request.params.name}"`);
    const result = await callTool(source, action, request.params.arguments ?? {});
    if (result.isError) reporter.note(`weft: ${request.params.name} failed: ${result.content[0]?.text}`);
    return result;
  });
  return server;
}

export async function mcpCommand(path: string, flags: McpFlags, reporter: Reporter): Promise<number> {
  consoleToStderr();
  let runtime: ExecRuntime | undefined;
  try {
    runtime = await execRuntime(flags.isolate === true);
    const connector = await runtime.load(path);
    const settingsFile = flags.settings ?? defaultSettingsFile(dirname(connector.file));
    if (flags.connection && !settingsFile) {
      throw new UsageError(`--connection=${flags.connection} needs a settings file: pass --settings=<file>`);
    }
    const settings = settingsFile ? await loadSettings(resolve(settingsFile), flags.connection) : undefined;
    const source: ToolSource = {
      connector: connector.definition,
      run: runtime.run,
      options: runOptions(settings, reporter),
    };
    const server = mcpServer(source, reporter);
    const transport = new AnsweringStdio();
    const closed = untilClosed(server, transport);
    await server.connect(transport);
    reporter.note(`weft: serving the actions of ${connector.definition.title} as MCP tools on stdio`);
    await closed;
    return 0;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    await closeHttp();
    await runtime?.close();
  }
}
