/**
 * Output fields given as functions, resolved before a recipe is validated so its datapills can be
 * checked. They are resolved as the console resolves them (`POST /api/connectors/:name/fields`):
 * with the step's connection, and with the config fields (and static `extendsSchema` fields) that
 * have a plain value in the step's input. What cannot be resolved keeps its reason: the recipe
 * is saved and the datapills that read it come back as a warning.
 */
import { type ConnectorDefinition, execute, type Field, messageOf } from '@weft/sdk';
import { redactorFor } from '../api/connectors.js';
import type { Connections, LiveConnection } from '../connections.js';
import type { Registry } from '../registry.js';

/** The output fields of one trigger or action step: the list, or why it could not be had. */
export type ResolvedOutput = { fields: readonly Field[] } | { reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPlain = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !(typeof v === 'string' && (v.startsWith('=') || v.includes('{{'))) &&
  !(Array.isArray(v) && v.length === 0);

interface Place {
  /** Where the step is in the recipe: `trigger`, `steps[0]`, `steps[1].then[0]`. */
  path: string;
  section: 'triggers' | 'actions';
  raw: Json;
}

/** Every trigger and action step of an unvalidated recipe body, with its path. */
function placesOf(body: unknown): Place[] {
  const places: Place[] = [];
  if (!isObject(body)) return places;
  if (isObject(body.trigger)) places.push({ path: 'trigger', section: 'triggers', raw: body.trigger });
  const visit = (steps: unknown, path: string) => {
    if (!Array.isArray(steps)) return;
    steps.forEach((step, i) => {
      if (!isObject(step)) return;
      const at = `${path}[${i}]`;
      if (step.action !== undefined) places.push({ path: at, section: 'actions', raw: step });
      for (const key of ['then', 'else', 'do']) visit(step[key], `${at}.${key}`);
    });
  };
  visit(body.steps, 'steps');
  visit(body.onError, 'onError');
  return places;
}

const needsConnection = (definition: ConnectorDefinition) =>
  (definition.connection?.fields?.length ?? 0) > 0 || (definition.connection?.authorization?.type ?? 'none') !== 'none';

export class OutputFieldResolver {
  constructor(
    private readonly registry: Registry,
    private readonly connections: Connections,
  ) {}

  /**
   * Resolved output fields by step path, for the steps whose output fields are a function.
   * Steps the validator will refuse anyway (unknown connector, wrong connection) are skipped.
   */
  async resolve(body: unknown): Promise<Map<string, ResolvedOutput>> {
    const out = new Map<string, ResolvedOutput>();
    // One save asks once for the same fields (a trigger and steps often share them).
    const memo = new Map<string, Promise<ResolvedOutput | undefined>>();
    await Promise.all(
      placesOf(body).map(async (place) => {
        const key = JSON.stringify([
          place.section,
          place.raw.connector,
          place.raw.connection,
          place.raw[place.section === 'actions' ? 'action' : 'trigger'],
          place.raw.input,
        ]);
        let pending = memo.get(key);
        if (!pending) {
          pending = this.one(place);
          memo.set(key, pending);
        }
        const result = await pending;
        if (result) out.set(place.path, result);
      }),
    );
    return out;
  }

  private async one({ section, raw }: Place): Promise<ResolvedOutput | undefined> {
    const name = section === 'actions' ? raw.action : raw.trigger;
    if (typeof raw.connector !== 'string' || typeof name !== 'string') return undefined;
    const definition = this.registry.get(raw.connector)?.definition;
    const operation = (section === 'actions' ? definition?.actions : definition?.triggers)?.[name];
    if (!definition || !operation || typeof operation.outputFields !== 'function') return undefined;

    let live: LiveConnection | undefined;
    if (typeof raw.connection === 'string') {
      try {
        live = await this.connections.live(raw.connection);
      } catch {
        return undefined; // No such connection: the validator says so.
      }
      if (live.connector !== raw.connector) return undefined;
    } else if (raw.connection !== undefined || needsConnection(definition)) {
      return undefined;
    }
    const connection = live?.values ?? {};
    const redactor = redactorFor(definition, connection);
    const options = { connection, mode: 'interactive' as const, onConnectionUpdate: live?.onConnectionUpdate };
    const prefix = `${section}.${name}`;
    try {
      let config: readonly Field[] = (operation.configFields as readonly Field[] | undefined) ?? [];
      if (typeof operation.configFields === 'function') {
        config = fieldList(await execute(definition, `${prefix}.config_fields`, options));
      }
      const shaping = [
        ...config,
        ...(Array.isArray(operation.inputFields) ? (operation.inputFields as Field[]) : []).filter(
          (f) => f.extendsSchema,
        ),
      ];
      const input = isObject(raw.input) ? raw.input : {};
      const configFields: Json = {};
      for (const f of shaping) if (isPlain(input[f.name])) configFields[f.name] = input[f.name];
      const result = await execute(definition, `${prefix}.output_fields`, { ...options, configFields });
      return { fields: fieldList(result) };
    } catch (error) {
      return { reason: redactor.redact(messageOf(error)) };
    }
  }
}

function fieldList(result: Awaited<ReturnType<typeof execute>>): readonly Field[] {
  const output = result.kind === 'output' ? result.output : undefined;
  if (!Array.isArray(output)) throw new Error('the fields function did not return a list of fields');
  return output as Field[];
}
