/**
 * Output fields given as functions, resolved before a recipe is validated so its datapills can be
 * checked. They are resolved as the console resolves them (`POST /api/connectors/:name/fields`):
 * with the step's connection, and with the config fields (and static `extendsSchema` fields) that
 * have a plain value in the step's input. What cannot be resolved keeps its reason: the recipe
 * is saved and the datapills that read it come back as a warning.
 */
import { type ConnectorDefinition, type Field, messageOf } from '@weft/sdk';
import type { OperationResult } from '@weft/sdk/operations';
import type { Connections, LiveConnection } from '../connections.js';
import { redactorFor } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import type { Registry } from '../registry.js';

/** The output fields of one trigger or action step: the list, or why it could not be had. */
export type ResolvedOutput = { fields: readonly Field[] } | { reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFormula = (v: unknown) => typeof v === 'string' && (v.startsWith('=') || v.includes('{{'));
/** A value that shapes the schema: not blank and not a formula or template (as the console decides). */
const isPlain = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !isFormula(v) &&
  !(Array.isArray(v) && v.length === 0) &&
  !(isObject(v) && Object.keys(v).length === 0);

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

/** Resolves the output fields of one recipe body; make one per save (it remembers answers). */
export class OutputFieldResolver {
  /** The same fields asked for twice in one save (one action used by several steps) are resolved once. */
  private readonly memo = new Map<string, Promise<ResolvedOutput>>();

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
    await Promise.all(
      placesOf(body).map(async (place) => {
        const result = await this.one(place);
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
      } catch (error) {
        // No such connection: the validator says so. Any other failure leaves the fields unresolved.
        if ((error as { code?: string }).code === 'CONNECTION_NOT_FOUND') return undefined;
        return { reason: `the connection "${raw.connection}" cannot be opened: ${messageOf(error)}` };
      }
      if (live.connector !== raw.connector) return undefined;
    } else if (raw.connection !== undefined || needsConnection(definition)) {
      return undefined;
    }
    const connection = live?.values ?? {};
    const redactor = redactorFor(definition, connection);
    const options = {
      connection,
      mode: 'interactive' as const,
      refreshGate: live?.refreshGate,
      dispatcher: live?.dispatcher,
    };
    const prefix = `${section}.${name}`;
    const of = section === 'actions' ? 'action' : 'trigger';
    const input = isObject(raw.input) ? raw.input : {};
    const remember = (key: unknown[], resolve: () => Promise<ResolvedOutput>) => {
      const id = JSON.stringify([raw.connector, raw.connection ?? null, ...key]);
      let pending = this.memo.get(id);
      if (!pending) {
        pending = resolve().catch((error) => ({ reason: redactor.redact(messageOf(error)) }));
        this.memo.set(id, pending);
      }
      return pending;
    };

    let config: readonly Field[] = (operation.configFields as readonly Field[] | undefined) ?? [];
    if (typeof operation.configFields === 'function') {
      const resolved = await remember([prefix, 'config'], async () => ({
        fields: fieldList(await runOperation(definition, { kind: 'config_fields', of, name }, options)),
      }));
      if (!('fields' in resolved)) return resolved;
      config = resolved.fields;
    }
    const staticInput = Array.isArray(operation.inputFields) ? (operation.inputFields as readonly Field[]) : [];
    const configFields: Json = {};
    for (const f of [...config, ...staticInput.filter((f) => f.extendsSchema)]) {
      const value = input[f.name];
      if (isFormula(value))
        return { reason: `they depend on "${f.name}", which is a formula known only when a job runs` };
      if (isPlain(value)) configFields[f.name] = value;
    }
    return remember([prefix, 'output', configFields], async () => {
      const fields = fieldList(
        await runOperation(definition, { kind: 'output_fields', of, name, configFields }, options),
      );
      // A function that finds no fields could not tell them with what it was given (a literal `[]`
      // is the way to declare none).
      return fields.length ? { fields } : { reason: 'the function returned no fields' };
    });
  }
}

function fieldList(result: OperationResult): readonly Field[] {
  const output = result.kind === 'output' ? result.output : undefined;
  if (!Array.isArray(output)) throw new Error('the fields function did not return a list of fields');
  return output as Field[];
}
