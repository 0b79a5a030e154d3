/**
 * @weft/sdk: the authoring API — what connector code imports. `defineConnector` and its
 * companions, the types of definitions and contexts, the typed errors, the field and control
 * type lists, and the pure helpers a connector may call (schema checks, signature checks).
 *
 * Running connectors is elsewhere: `@weft/sdk/runtime` (execute, load, validate, poll and
 * webhook hosts, redaction), `@weft/sdk/oauth2` (the OAuth2 protocol client), `@weft/sdk/testing`.
 */

export { CUSTOM_ACTION_NAME } from './custom-action.js';
export { defineAction, defineConnector, defineFields, defineTrigger } from './define.js';
export * from './errors.js';
export type * from './http/types.js';
export { CONTROL_TYPES, FIELD_TYPES } from './model/fields.js';
export { type CronSchedule, type CronScheduleOptions, cronSchedule, isTimeZone } from './schedule/cron.js';
export { convertValue, isNamedConversion, NAMED_CONVERSIONS } from './schema/conversions.js';
export { fieldsToJsonSchema, type JsonSchema, type JsonSchemaOptions } from './schema/json-schema.js';
export { checkOutput } from './schema/output.js';
export { validateAgainstFields, validateAgainstSchema } from './schema/validate-json.js';
export {
  checkHmac,
  checkStripeSignature,
  checkTimestampedHmac,
  computeHmac,
  DEFAULT_TOLERANCE_SECONDS,
  type HmacAlgorithm,
  type HmacOptions,
  parseSignatureHeader,
  type SignatureCheck,
  type SignatureEncoding,
  type StripeSignatureOptions,
  safeEqual,
  type TimestampedHmacOptions,
  verifyHmac,
  verifyStripeSignature,
  verifyTimestampedHmac,
} from './triggers/signature.js';
export type * from './types.js';
export { buildXml, type ParseXmlOptions, parseXml, type XmlDocument, type XmlElement } from './xml.js';
