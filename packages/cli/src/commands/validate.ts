/**
 * `weft validate <connector>`: list every definition problem by its path.
 */
import { DefinitionError } from '@weft/sdk';
import { loadConnectorFile, validateConnector } from '@weft/sdk/runtime';
import type { Reporter } from '../report.js';

export async function validateCommand(path: string, reporter: Reporter): Promise<number> {
  try {
    const loaded = await loadConnectorFile(path, { validate: false });
    const problems = validateConnector(loaded.definition);
    if (problems.length)
      return reporter.fail(
        new DefinitionError(
          problems,
          `${loaded.file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
        ),
      );
    const d = loaded.definition;
    const count = (o: object | undefined, noun: string) => {
      const n = Object.keys(o ?? {}).length;
      return `${n} ${noun}${n === 1 ? '' : 's'}`;
    };
    const counts = [
      count(d.actions, 'action'),
      count(d.triggers, 'trigger'),
      count(d.pickLists, 'pick list'),
      count(d.methods, 'method'),
    ];
    process.stdout.write(`${loaded.name}: valid (${counts.join(', ')})\n`);
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
