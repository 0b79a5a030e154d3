/**
 * `weft db copy --from <home|url> --to <url|home>`: moves an installation between stores (see
 * `copyDatabase` in the platform), then says what was copied and how to start on the target.
 */
import { UsageError } from '@weft/sdk';
import type { DbCopyFlags } from '../flags.js';
import type { Reporter } from '../report.js';

export async function dbCopyCommand(flags: DbCopyFlags, reporter: Reporter): Promise<number> {
  try {
    if (!flags.from || !flags.to) throw new UsageError('weft db copy needs --from <home|url> and --to <url|home>');
    const { copyDatabase } = await import('@weft/platform');
    const result = await copyDatabase(flags.from, flags.to);
    const counts = Object.entries(result.counts)
      .map(([table, n]) => `  ${table}: ${n}`)
      .join('\n');
    process.stdout.write(
      `Copied ${result.from} to ${result.to}:\n${counts}\n` +
        'Start Weft on it with the same WEFT_HOME (or WEFT_MASTER_KEY): its master key opens the copied connections.\n',
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
