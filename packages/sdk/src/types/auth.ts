/** How a connection authorizes its requests (SPEC §4). */
import type { RawResponseOptions, ResponseMatcher, XmlResponseOptions } from '../http/types.js';
import type { ConnectorContext } from './contexts.js';
import type { Field } from './fields.js';

export type { ResponseMatcher };

// ---------------------------------------------------------------------------------------------
// Authorization (SPEC §4; the flows beyond `apply` arrive with the authentication work)

export interface ApplyContext<Connection = Record<string, any>> {
  readonly connection: Connection;
  readonly accessToken: string | undefined;
  /** Add headers to every request of the connection. */
  headers(headers: Record<string, string | number | boolean>): void;
  /** Add query parameters to every request of the connection. */
  params(params: Record<string, unknown>): void;
  /**
   * Merge fields into every payload of the connection (JSON, form or XML). Objects merge deeply
   * with the request's own payload; where both set a value, the request's wins.
   */
  payload(payload: Record<string, unknown>): void;
  user(name: string): void;
  password(secret: string): void;
  /** Request format of every request that sets none itself (as the request builder's methods). */
  requestFormatJson(): void;
  requestFormatXml(rootElement: string, namespaces?: Record<string, string>): void;
  requestFormatWwwFormUrlencoded(): void;
  /** Response format of every request that sets none itself. */
  responseFormatJson(): void;
  responseFormatXml(options?: XmlResponseOptions): void;
  responseFormatRaw(options?: RawResponseOptions): void;
  /** Both: XML requests with this root element and XML responses (Workato's `format_xml`). */
  formatXml(rootElement: string, namespaces?: Record<string, string>, options?: XmlResponseOptions): void;
  /** Both: JSON requests and responses (Workato's `format_json`). */
  formatJson(): void;
}

export interface AuthorizationBase {
  apply?: (ctx: ApplyContext) => void | Promise<void>;
  refreshOn?: readonly ResponseMatcher[];
  detectOn?: readonly ResponseMatcher[];
  [key: string]: unknown;
}

export interface NoAuthorization extends AuthorizationBase {
  type: 'none';
}
export interface BasicAuthorization extends AuthorizationBase {
  type: 'basic_auth';
}
export interface ApiKeyAuthorization extends AuthorizationBase {
  type: 'api_key';
}
/**
 * The context of an authorization's own `acquire`: the connection's context (its requests run
 * without `apply`) plus, for the OAuth2 authorization-code grant, what the browser sign-in
 * returned. Outside that grant the three are undefined.
 */
export interface AcquireContext<Connection = Record<string, any>> extends ConnectorContext<Connection> {
  /** The authorization code of the redirect. */
  readonly code: string | undefined;
  /** The redirect URI the code was issued for (send it with the exchange). */
  readonly redirectUri: string | undefined;
  /** The PKCE code verifier, when the authorization uses PKCE. */
  readonly codeVerifier: string | undefined;
}

/** The context of an authorization's own `refresh`: the connection's context plus its stored refresh token. */
export interface RefreshContext<Connection = Record<string, any>> extends ConnectorContext<Connection> {
  /** The connection's `refresh_token`, when it holds one (a string). */
  readonly refreshToken: string | undefined;
}

/** What `acquire` and `refresh` return: connection values to store (merged in, and secret). */
export type ObtainedCredentials = Promise<Record<string, unknown>> | Record<string, unknown>;

export interface CustomAuthorization extends AuthorizationBase {
  type: 'custom_auth';
  acquire?: (ctx: AcquireContext) => ObtainedCredentials;
  refresh?: (ctx: RefreshContext) => ObtainedCredentials;
}
export type Setting<T = string> = T | ((ctx: ConnectorContext) => T);
export interface OAuth2Authorization extends AuthorizationBase {
  type: 'oauth2';
  authorizationUrl?: Setting;
  tokenUrl?: Setting;
  clientId?: Setting;
  clientSecret?: Setting;
  scope?: Setting;
  pkce?: boolean;
  grantType?: 'authorization_code' | 'client_credentials' | 'password';
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  acquire?: (ctx: AcquireContext) => ObtainedCredentials;
  refresh?: (ctx: RefreshContext) => ObtainedCredentials;
}
export interface AwsAuthorization extends AuthorizationBase {
  type: 'aws_auth';
  service?: Setting;
  region?: Setting;
}
export interface MultiAuthorization {
  type: 'multi';
  selected: (ctx: ConnectorContext) => string;
  options: Record<string, Exclude<Authorization, MultiAuthorization>>;
  [key: string]: unknown;
}

export type Authorization =
  | NoAuthorization
  | BasicAuthorization
  | ApiKeyAuthorization
  | CustomAuthorization
  | OAuth2Authorization
  | AwsAuthorization
  | MultiAuthorization;

export interface ConnectionDefinition {
  fields?: readonly Field[];
  authorization?: Authorization;
  /** The API's base URI; relative request URLs resolve against it (treated as a directory). */
  baseUri?: (ctx: ConnectorContext) => string | Promise<string>;
  /** Same as the connector's `identity`; either place works. */
  identity?: (ctx: ConnectorContext) => string | Promise<string>;
}
