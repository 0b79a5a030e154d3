/**
 * The authorization types of SPEC §4, as values and as the closed union derived from them. The
 * SDK's `Authorization` types, its validator and the console's connection form read this table.
 * Pure: no Node imports.
 */

/** `connection.authorization.type`. `multi` offers several of the others under names. */
export const AUTH_TYPES = ['none', 'basic_auth', 'api_key', 'custom_auth', 'oauth2', 'aws_auth', 'multi'] as const;

export type AuthType = (typeof AUTH_TYPES)[number];

/** Whether `value` names an authorization type. */
export const isAuthType = (value: unknown): value is AuthType => (AUTH_TYPES as readonly unknown[]).includes(value);
