/**
 * `ngIf` in forms: the SDK's own expression language (`@weft/sdk/ngif`, a pure module with no
 * Node dependencies), so the console shows exactly the fields the runtime would accept.
 */
import { evaluateNgIf } from '@weft/sdk/ngif';

/** Whether a field with this `ngIf` is shown; true when the expression does not parse. */
export function ngIfHolds(expression: string | undefined, scope: Record<string, unknown>): boolean {
  if (!expression) return true;
  try {
    return evaluateNgIf(expression, scope);
  } catch {
    return true;
  }
}
