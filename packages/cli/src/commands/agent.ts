/**
 * `weft agent --server URL --key KEY [--config agent.yaml]`: run an on-premises agent
 * (docs/auth/on-prem.md) until SIGINT or SIGTERM.
 */
import { UsageError } from '@weft/sdk';
import type { AgentFlags } from '../flags.js';
import type { Reporter } from '../report.js';

const VERSION = '0.1.0';

export async function agentCommand(flags: AgentFlags, reporter: Reporter): Promise<number> {
  try {
    const server = flags.server;
    if (!server)
      throw new UsageError('--server is required: the Weft server to dial, e.g. --server https://weft.example.com');
    if (!/^(https?|wss?):\/\/[^/\s]+/i.test(server)) {
      throw new UsageError(`--server must be an https:// URL (http:// on a trusted network), got "${server}"`);
    }
    const key = flags.key ?? process.env.WEFT_AGENT_KEY?.trim();
    if (!key) throw new UsageError('--key is required (or WEFT_AGENT_KEY): the key POST /api/agents returned');
    const { AGENT_KEY_PREFIX } = await import('@weft/platform/agents');
    if (!key.startsWith(AGENT_KEY_PREFIX)) {
      throw new UsageError(`--key is not an agent key: agent keys start with ${AGENT_KEY_PREFIX}`);
    }
    const { loadAgentConfig } = await import('../agent/config.js');
    const config = await loadAgentConfig(flags.config);
    const { AgentRunner } = await import('../agent/runner.js');
    const runner = new AgentRunner({
      server,
      key,
      config,
      version: VERSION,
      log: (level, message) => process.stderr.write(`weft agent: ${level === 'info' ? '' : `${level}: `}${message}\n`),
    });
    if (!config.targets.length) {
      reporter.note('weft agent: warning: no --config: this agent may reach no target and will refuse every request');
    }
    const stop = () => runner.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await runner.run();
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
