/** Fields ⇄ JSON Schema, input processing, conversions, output checks and object definitions. */
export {
  type Coerced,
  coerceScalar,
  FALSE_WORDS,
  TRUE_WORDS,
} from './coerce.js';
export { convertValue, isNamedConversion, NAMED_CONVERSIONS } from './conversions.js';
export {
  effectiveType,
  isMissing,
  type ProcessedInput,
  type ProcessInputOptions,
  processInput,
  type RunMethod,
} from './input.js';
export { fieldsToJsonSchema, type JsonSchema, type JsonSchemaOptions } from './json-schema.js';
export { evaluateNgIf, type NgIfNode, parseNgIf } from './ngif.js';
export { createObjectDefinitions, resolveFields } from './object-definitions.js';
export { applyConvertOutput, checkOutput, type OutputMethodRunner } from './output.js';
export { validateAgainstFields, validateAgainstSchema } from './validate-json.js';
