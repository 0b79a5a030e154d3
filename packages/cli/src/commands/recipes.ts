/**
 * `weft recipes list|get|create|update|start|stop|delete`: recipes on a Weft server.
 * Recipe files are JSON or YAML.
 */
import { UsageError } from '@weft/sdk';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ApiClient } from '../api-client.js';
import type { RecipeFlags } from '../flags.js';
import { readText } from '../io.js';
import type { Reporter } from '../report.js';
import { print, printJson, table, time } from '../table.js';

interface Recipe {
  id: string;
  name: string;
  status: string;
  trigger: { connector: string; connection?: string; trigger: string; pollIntervalSeconds?: number };
  steps: unknown[];
  onError?: unknown[];
  concurrency?: number;
  connectorVersions: Record<string, number>;
  webhookUrl?: string;
  staticWebhookUrl?: string;
  createdAt: string;
  updatedAt: string;
  /** Create and update only: datapills the server could not check. */
  warnings?: { message: string }[];
}

const enc = encodeURIComponent;

async function readRecipe(file: string): Promise<unknown> {
  const text = await readText(file, 'recipe');
  let value: unknown;
  try {
    // YAML 1.2 reads JSON too.
    value = parseYaml(text);
  } catch (error) {
    const what = /\.json$/i.test(file) ? 'JSON' : 'YAML or JSON';
    throw new UsageError(`${file}: not valid ${what} (${(error as Error).message.split('\n')[0]})`, 'INPUT_UNREADABLE');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${file}: a recipe file must hold one recipe object`, 'INPUT_UNREADABLE');
  }
  return value;
}

function describeRecipe(r: Recipe): string {
  const pins = Object.entries(r.connectorVersions ?? {})
    .map(([name, v]) => `${name}@${v}`)
    .join(', ');
  const lines = [
    `id:        ${r.id}`,
    `name:      ${r.name}`,
    `status:    ${r.status}`,
    `trigger:   ${r.trigger.connector}.${r.trigger.trigger}${r.trigger.connection ? ` (connection ${r.trigger.connection})` : ''}`,
    ...(r.webhookUrl ? [`webhook:   ${r.webhookUrl}`] : []),
    ...(r.staticWebhookUrl ? [`static:    ${r.staticWebhookUrl}`] : []),
    `versions:  ${pins || 'none'}`,
    `created:   ${time(r.createdAt)}`,
    `updated:   ${time(r.updatedAt)}`,
    '',
    toYaml({ steps: r.steps, ...(r.onError?.length ? { onError: r.onError } : {}) }).trimEnd(),
  ];
  return lines.join('\n');
}

function show(flags: RecipeFlags, recipe: Recipe, message: string): void {
  if (flags.json) printJson(recipe);
  else print(message);
}

/** A saved recipe's warnings go to stderr, so `--json` output stays one document. */
function warn(reporter: Reporter, recipe: Recipe): void {
  for (const w of recipe.warnings ?? []) reporter.note(`warning: ${w.message}`);
}

type Action = (client: ApiClient, flags: RecipeFlags) => Promise<void>;

async function run(flags: RecipeFlags, reporter: Reporter, action: Action): Promise<number> {
  try {
    await action(await ApiClient.from(flags), flags);
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}

export function recipesList(flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const items: Recipe[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '1000' });
      if (flags.status) query.set('status', flags.status);
      if (cursor) query.set('cursor', cursor);
      const page: { items: Recipe[]; nextCursor: string | null } = await client.get(`/api/recipes?${query}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    if (flags.json) return printJson(items);
    if (!items.length)
      return print(`No recipes on ${client.server}${flags.status ? ` with status ${flags.status}` : ''}`);
    print(
      table(
        ['ID', 'NAME', 'STATUS', 'TRIGGER', 'STEPS', 'UPDATED'],
        items.map((r) => [
          r.id,
          r.name,
          r.status,
          `${r.trigger.connector}.${r.trigger.trigger}`,
          String(r.steps.length),
          time(r.updatedAt),
        ]),
      ),
    );
  });
}

export function recipesGet(id: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const recipe = await client.get<Recipe>(`/api/recipes/${enc(id)}`);
    show(flags, recipe, describeRecipe(recipe));
  });
}

export function recipesCreate(file: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const recipe = await client.post<Recipe>('/api/recipes', await readRecipe(file));
    warn(reporter, recipe);
    show(
      flags,
      recipe,
      `Created recipe ${recipe.id} (${recipe.name}), stopped: start it with \`weft recipes start ${recipe.id}\``,
    );
  });
}

export function recipesUpdate(id: string, file: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const recipe = await client.request<Recipe>('PUT', `/api/recipes/${enc(id)}`, await readRecipe(file));
    warn(reporter, recipe);
    show(flags, recipe, `Updated recipe ${recipe.id} (${recipe.name})`);
  });
}

export function recipesStart(id: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const recipe = await client.post<Recipe>(`/api/recipes/${enc(id)}/start`);
    const hook = recipe.webhookUrl ? `; it receives webhooks at ${recipe.webhookUrl}` : '';
    show(flags, recipe, `Recipe ${recipe.id} (${recipe.name}) is running${hook}`);
  });
}

export function recipesStop(id: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const recipe = await client.post<Recipe>(`/api/recipes/${enc(id)}/stop`);
    show(flags, recipe, `Recipe ${recipe.id} (${recipe.name}) is stopped`);
  });
}

export function recipesDelete(id: string, flags: RecipeFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    await client.request('DELETE', `/api/recipes/${enc(id)}`);
    if (flags.json) printJson({ id, deleted: true });
    else print(`Deleted recipe ${id} with its jobs`);
  });
}
