/** The named action or trigger of a connector, or an error that lists the ones it has. */
import { WeftError } from '../errors.js';

export function findNamed<T>(defined: Record<string, T> | undefined, kind: 'action' | 'trigger', name: string): T {
  const found = defined?.[name];
  if (!found) {
    const known = Object.keys(defined ?? {});
    const kinds = kind === 'action' ? 'Actions' : 'Triggers';
    throw new WeftError(
      'UNKNOWN_PATH',
      `Unknown ${kind} "${name}". ${kinds} of this connector: ${known.join(', ') || 'none'}`,
    );
  }
  return found;
}
