/**
 * What a recipe's action step runs with, worked out once per step object rather than per job:
 * the connector's definition at the version the recipe is pinned to, the action, and its name
 * (what the `action` operation names). The step objects belong to a cached recipe record, so a recipe that is
 * reloaded (after it was stopped and changed) is resolved afresh.
 */
import type { ActionDefinition, ConnectorDefinition } from '@weft/sdk';
import { WeftError } from '@weft/sdk';
import { cachedLoad } from '../promise-cache.js';
import type { ActionStep } from '../recipes/types.js';
import type { Registry } from '../registry.js';

export interface ResolvedAction {
  definition: ConnectorDefinition;
  action: ActionDefinition;
  /** The action's name (the key under `actions`): what its `action` operation names. */
  name: string;
}

export class ActionResolver {
  private readonly cache = new WeakMap<ActionStep, Promise<ResolvedAction>>();

  constructor(private readonly registry: Pick<Registry, 'definitionAt'>) {}

  resolve(step: ActionStep, versions: Record<string, number>): Promise<ResolvedAction> {
    // A connector version that is not loaded now may be later (a push): a failure is not kept.
    return cachedLoad(this.cache, step, () => this.load(step, versions));
  }

  private async load(step: ActionStep, versions: Record<string, number>): Promise<ResolvedAction> {
    const version = versions[step.connector];
    if (version === undefined) {
      throw new WeftError(
        'CONNECTOR_NOT_FOUND',
        `The recipe is not pinned to a version of connector "${step.connector}": save the recipe again`,
      );
    }
    const definition = await this.registry.definitionAt(step.connector, version);
    const action = definition.actions?.[step.action];
    if (!action) {
      throw new WeftError(
        'UNKNOWN_PATH',
        `Connector "${step.connector}" version ${version} has no action "${step.action}"`,
      );
    }
    return { definition, action, name: step.action };
  }
}
