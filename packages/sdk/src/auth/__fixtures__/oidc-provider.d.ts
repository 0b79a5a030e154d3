// oidc-provider ships no type declarations; the test helper uses it untyped.
declare module 'oidc-provider';
