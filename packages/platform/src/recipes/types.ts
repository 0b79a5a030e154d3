/**
 * The recipe format (SPEC §10), as stored after validation (defaults filled in). The types live in
 * `@weft/sdk/model`, shared with the console; this module keeps the platform's import path.
 */
export type { ActionStep, ForeachStep, IfStep, Recipe, RecipeTrigger, Step, StopStep } from '@weft/sdk/model';
export { isActionStep, isForeachStep, isIfStep, isStopStep } from '@weft/sdk/model';
