/**
 * Route schemas validate params, query strings and bodies (ajv), and their errors answer like
 * every other check: 400 `INVALID_REQUEST` with the `path` of the bad value from the part's root
 * (`values.port`, `steps[1].action`) and the message the domain's own checks write (input.ts).
 *
 * Bodies are taken as sent (no coercion, no defaults, unknown keys are errors, not dropped);
 * query strings and path parameters are text, coerced to the schema's numbers. All errors are
 * collected so the most useful one is answered: a body of the wrong type, then an unknown key
 * (a typo explains a "missing" key), then the first other problem in the schema's order.
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { describeValue } from '../input.js';

const common: Options = { allErrors: true, verbose: true, strict: false, useDefaults: false };

/** The validator of one server (its own ajv instances: no state shared between servers). */
export function validatorCompiler(): FastifySchemaCompiler<object> {
  const bodies = new Ajv({ ...common, coerceTypes: false, removeAdditional: false });
  const texts = new Ajv({ ...common, coerceTypes: true, removeAdditional: false });
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodies : texts).compile(schema);
}

type Json = Record<string, unknown>;

/** `/steps/1/action` → `steps[1].action`. */
function dotted(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  if (extra !== undefined) parts.push(extra);
  return parts
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

const ARTICLE: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

function expected(type: unknown): string {
  return [type]
    .flat()
    .map((t) => ARTICLE[String(t)] ?? String(t))
    .join(' or ');
}

const COMPARED: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' };

const RANK: Record<string, number> = { additionalProperties: 1, required: 2 };

/** The one problem to answer, in the shape of the domain's checks. */
function describe(error: ErrorObject, part: string): { path?: string; message: string } {
  const schema = (error.parentSchema ?? {}) as Json;
  const value = error.data;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((schema.properties as Json | undefined) ?? {});
      const key = String(error.params.additionalProperty);
      if (allowed.length === 0) {
        return {
          path: dotted(error.instancePath, key),
          message: part === 'querystring' ? 'this route takes no query parameters' : 'unknown key; expected none',
        };
      }
      return {
        path: dotted(error.instancePath, key),
        message: `unknown key; expected ${allowed.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    case 'required':
      return { path: dotted(error.instancePath, String(error.params.missingProperty)), message: 'is required' };
    case 'type':
      if (error.instancePath === '' && part === 'body') {
        return {
          message:
            value === undefined || value === null
              ? 'Send a JSON object as the request body'
              : `The request body must be a JSON object, not ${describeValue(value)}`,
        };
      }
      if (part !== 'body' && schema.minimum !== undefined && schema.maximum !== undefined) break;
      return {
        path: dotted(error.instancePath),
        message: `must be ${expected(schema.type)}, not ${describeValue(value)}`,
      };
    case 'minLength':
      if (schema.minLength === 1) return { path: dotted(error.instancePath), message: 'must not be empty' };
      break;
    case 'minimum':
    case 'maximum':
      if (schema.minimum === undefined || schema.maximum === undefined) {
        return {
          path: dotted(error.instancePath),
          message: `must be ${COMPARED[String(error.params.comparison)] ?? error.params.comparison} ${error.params.limit}`,
        };
      }
      break;
    case 'enum':
      return {
        path: dotted(error.instancePath),
        message: `must be one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
  }
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    return {
      path: dotted(error.instancePath),
      message: `must be ${expected(schema.type)} from ${schema.minimum} to ${schema.maximum}`,
    };
  }
  return { path: dotted(error.instancePath) || undefined, message: error.message ?? 'is not valid' };
}

/** The answer to a request whose params, query or body break the route's schema. */
export function validationError(
  errors: readonly Partial<ErrorObject>[],
  part: string | undefined,
): { code: string; message: string; path?: string } {
  const all = errors as ErrorObject[];
  const root = all.find((e) => e.keyword === 'type' && e.instancePath === '');
  const chosen = root ?? [...all].sort((a, b) => (RANK[a.keyword] ?? 3) - (RANK[b.keyword] ?? 3))[0];
  const { path, message } = describe(chosen, part ?? 'body');
  return { code: 'INVALID_REQUEST', message: path ? `${path}: ${message}` : message, path: path || undefined };
}
