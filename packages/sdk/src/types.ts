/**
 * The connector model (SPEC §1–7) as TypeScript types. A connector author gets completion and
 * errors from these; the runtime uses the same names.
 */
import type { ConnectionDefinition } from './types/auth.js';
import type { ConnectorContext, FieldsContext, PickListContext, WebhookContext } from './types/contexts.js';
import type { Field, PickListOption, TreeOption } from './types/fields.js';
import type { ActionDefinition, TriggerDefinition } from './types/operations.js';

export type { DecodedJwt, JwtAlgorithm, JwtDecodeOptions, JwtEncodeOptions, JwtKey } from './auth/jwt.js';
export type { ControlType, FieldType } from './model/fields.js';
export type * from './types/auth.js';
export type * from './types/contexts.js';
export type { AwsSignatureOptions } from './types/contexts.js';
export type * from './types/fields.js';
export type * from './types/operations.js';

// ---------------------------------------------------------------------------------------------
// The connector (SPEC §1)

export interface ObjectDefinition {
  fields: (
    ctx: FieldsContext & { configFields: Record<string, unknown> },
  ) => readonly Field[] | Promise<readonly Field[]>;
}

/** A pick list. `Args`: the arguments a field's `pickListParams` passes (default: any record). */
export type PickListFn<Args = Record<string, any>> = (
  ctx: PickListContext,
  args: Args,
) => readonly (PickListOption | TreeOption)[] | Promise<readonly (PickListOption | TreeOption)[]>;

/** A method (`ctx.call(name, ...args)`). `Args`: its parameters after `ctx` (default: any). */
export type MethodFn<Args extends unknown[] = any[]> = (ctx: ConnectorContext, ...args: Args) => unknown;

export interface StreamChunk {
  data: Uint8Array | string;
  /** True when this chunk is the last one. */
  eof: boolean;
}
export type StreamProducer = (
  ctx: ConnectorContext & { args: Record<string, unknown> },
  from: number,
  to: number,
) => StreamChunk | Promise<StreamChunk>;

export interface ConnectorDefinition {
  /** Overrides the connector's name (default: its folder or package name). */
  name?: string;
  title: string;
  description?: string;
  version?: string;
  connection?: ConnectionDefinition;
  test?: (ctx: ConnectorContext) => unknown;
  /** Names the account behind a connection (e.g. the signed-in user's email), shown beside it. */
  identity?: (ctx: ConnectorContext) => string | Promise<string>;
  actions?: Record<string, ActionDefinition>;
  triggers?: Record<string, TriggerDefinition>;
  objectDefinitions?: Record<string, ObjectDefinition>;
  pickLists?: Record<string, PickListFn>;
  methods?: Record<string, MethodFn>;
  /** Static webhooks: the key of a request (no connection); a number becomes a string. */
  webhookKeys?: (ctx: WebhookContext) => string | number | Promise<string | number>;
  streams?: Record<string, StreamProducer>;
  secureTunnel?: boolean;
  /** `true` (or options) adds `custom_action`, which calls any endpoint with the connection. */
  customAction?: boolean | CustomActionOptions;
}

export interface CustomActionOptions {
  /**
   * Send the connection's authorization also to absolute URLs on another origin than the
   * connection's base URI. Off by default: such a call goes out without credentials.
   */
  authorizeOtherOrigins?: boolean;
}
