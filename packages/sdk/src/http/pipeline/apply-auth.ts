/**
 * Apply auth: runs the authorization's `apply` afresh for every attempt, so a resend after a
 * refresh carries the new credentials.
 */
import type { HttpEnv } from '../types.js';
import { amend, type Step } from './types.js';

export function applyAuth(apply: NonNullable<HttpEnv['applyAuth']>): Step {
  return (next) => async (request) => next(amend(request, { auth: await apply() }));
}
