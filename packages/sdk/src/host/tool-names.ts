/**
 * Tool names every assistant takes. MCP itself allows 128 characters, but the model APIs behind
 * the assistants accept only letters, digits, `_` and `-`, at most 64 of them. A name that fits
 * is `<prefix>__<action>` as it is. One that does not (a long connection name, a `.` in it) has
 * its other characters as `_`, the prefix shortened first (the action says what the tool does),
 * and ends in `_` and eight hex digits of the full name's SHA-256: unique, and the same from one
 * listing to the next.
 */
import { createHash } from 'node:crypto';

export const TOOL_SEPARATOR = '__';
export const TOOL_NAME_MAX = 64;

const FITS = new RegExp(`^[A-Za-z0-9_-]{1,${TOOL_NAME_MAX}}$`);
const HASH_DIGITS = 8;
/** What a shortened name spells before `_` and the digits. */
const BODY_MAX = TOOL_NAME_MAX - HASH_DIGITS - 1;
/** A shortened prefix keeps at least this much of itself. */
const PREFIX_MIN = 8;

const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');

function body(prefix: string | undefined, action: string): string {
  const verb = safe(action);
  if (!prefix) return verb.slice(0, BODY_MAX);
  const noun = safe(prefix);
  const nounLength = Math.min(noun.length, Math.max(PREFIX_MIN, BODY_MAX - TOOL_SEPARATOR.length - verb.length));
  return `${noun.slice(0, nounLength)}${TOOL_SEPARATOR}${verb}`.slice(0, BODY_MAX);
}

/** The tool name of an action, under a prefix (the runtime: the connection's name) or none. */
export function toolName(prefix: string | undefined, action: string): string {
  const full = prefix ? `${prefix}${TOOL_SEPARATOR}${action}` : action;
  if (FITS.test(full)) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, HASH_DIGITS);
  return `${body(prefix, action)}_${digest}`;
}

/**
 * Whether a tool name can be one of the prefix's: it starts with `<prefix>__`, or with the first
 * characters a shortened name keeps. A cheap filter; `toolName` of each action decides.
 */
export function mayBeUnder(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}${TOOL_SEPARATOR}`) || name.startsWith(safe(prefix).slice(0, PREFIX_MIN));
}
