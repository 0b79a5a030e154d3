/**
 * A connection's agent group (docs/auth/on-prem.md): a connection of a connector that declares
 * `secureTunnel: true` may name one, and then every request of that connection goes through an
 * agent of the group (the dispatcher the server's `AgentHub` gives for it).
 */
import type { ConnectorDefinition } from '@weft/sdk';
import { WeftError } from '@weft/sdk';
import type { RunOptions } from '@weft/sdk/operations';
import { invalid } from './input.js';
import { checkName } from './names.js';

/** The dispatcher that sends a request through an agent of the group. */
export type TunnelDispatchers = (group: string) => NonNullable<RunOptions['dispatcher']>;

/** The agent group as given (null: none), checked: a name, and only for `secureTunnel` connectors. */
export function checkAgentGroup(
  definition: ConnectorDefinition,
  connector: string,
  group: string | null | undefined,
): string | null | undefined {
  if (group === undefined || group === null) return group;
  if (definition.secureTunnel !== true) {
    throw invalid(
      'agentGroup',
      `the connector "${connector}" does not declare \`secureTunnel: true\`: its connections cannot go through an agent`,
    );
  }
  return checkName(group, 'identifier', 'agentGroup');
}

/** The dispatcher of a connection's agent group, or undefined (directly) when it has none. */
export function tunnelDispatcher(
  tunnel: TunnelDispatchers | undefined,
  record: { name: string; agentGroup?: string },
): RunOptions['dispatcher'] {
  if (record.agentGroup === undefined) return undefined;
  if (!tunnel) {
    throw new WeftError(
      'AGENT_OFFLINE',
      `The connection "${record.name}" goes through the agent group "${record.agentGroup}", and this process takes no agents`,
    );
  }
  return tunnel(record.agentGroup);
}
