/** application/x-www-form-urlencoded bodies: nested objects as `a[b]=`, arrays as repeated keys. */
import { encodeFormComponent, encodeParams } from '../url.js';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function encodeForm(payload: Record<string, unknown> | undefined, extra?: Record<string, unknown>): string {
  return encodeParams([payload, extra], encodeFormComponent);
}
