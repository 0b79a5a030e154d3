/**
 * `weft push [connector]`: bundle a connector as `weft exec` loads it, check it, and send the
 * source to a Weft server, which validates it again and keeps it as a new version when it changed.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { loadConnectorFile } from '@weft/sdk/runtime';
import { ApiClient } from '../api-client.js';
import type { PushFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { print, printJson } from '../table.js';

/** The file URL a bundle uses for `@weft/sdk` when the project has no copy of its own. */
const LOCAL_SDK_URL = pathToFileURL(createRequire(import.meta.url).resolve('@weft/sdk')).href;

/**
 * The bundle with `@weft/sdk` as a bare import again: a path on this machine means nothing to
 * the server, which points the import at its own SDK.
 */
export function portableSource(source: string): string {
  return source.split(JSON.stringify(LOCAL_SDK_URL)).join('"@weft/sdk"');
}

interface Pushed {
  name: string;
  version: number;
  actions: string[];
  triggers: string[];
  created: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function pushCommand(path: string, flags: PushFlags, reporter: Reporter): Promise<number> {
  try {
    const client = await ApiClient.from(flags);
    const loaded = await loadConnectorFile(path);
    const pushed = await client.post<Pushed>('/api/connectors', {
      source: portableSource(loaded.source),
      name: loaded.name,
    });
    if (flags.json) {
      printJson(pushed);
      return 0;
    }
    const what = `${plural(pushed.actions.length, 'action')}, ${plural(pushed.triggers.length, 'trigger')}`;
    print(
      pushed.created
        ? `Pushed ${pushed.name} version ${pushed.version} to ${client.server} (${what})`
        : `${pushed.name} is unchanged: version ${pushed.version} on ${client.server} has the same source`,
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
