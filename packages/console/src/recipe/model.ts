/**
 * The recipe builder's model: the recipe being edited, new steps, and which datapills each step
 * may use (the trigger's output, earlier action steps' outputs, `foreach` items, `error`).
 */

import { isActionStep as isAction, isForeachStep as isForeach, isIfStep as isIf, type StepKind } from '@weft/sdk/model';
import type { Field, Recipe, RecipeInput, RecipeWarning, Step } from '../api/types';
import type { PillGroup } from '../forms/env';
import { type Datapill, fieldsAt, type PillSource, pillsOf } from '../lib/datapills';

// The step kinds and their guards are the SDK's recipe model (`@weft/sdk/model`).
export {
  isActionStep as isAction,
  isForeachStep as isForeach,
  isIfStep as isIf,
  isStopStep as isStop,
  type StepKind,
  stepKind as kindOf,
} from '@weft/sdk/model';

export function emptyRecipe(): RecipeInput {
  return { name: '', trigger: { connector: '', trigger: '', input: {} }, steps: [], onError: [], concurrency: 1 };
}

export function draftOf(recipe: Recipe): RecipeInput {
  return {
    name: recipe.name,
    trigger: { ...recipe.trigger, input: recipe.trigger.input ?? {} },
    steps: recipe.steps,
    onError: recipe.onError ?? [],
    concurrency: recipe.concurrency ?? 1,
  };
}

/** Every step id of the recipe, nested ones included. */
export function allIds(recipe: RecipeInput): Set<string> {
  const ids = new Set<string>();
  const visit = (steps: readonly Step[]) => {
    for (const s of steps) {
      ids.add(s.id);
      if (isIf(s)) {
        visit(s.then);
        visit(s.else);
      }
      if (isForeach(s)) visit(s.do);
    }
  };
  visit(recipe.steps);
  visit(recipe.onError ?? []);
  return ids;
}

export function newStep(kind: StepKind, taken: Set<string>): Step {
  const prefix = kind === 'action' ? 'step' : kind;
  let n = 1;
  while (taken.has(`${prefix}_${n}`)) n++;
  const id = `${prefix}_${n}`;
  switch (kind) {
    case 'action':
      return { id, connector: '', action: '', input: {} };
    case 'if':
      return { id, if: '', then: [], else: [] };
    case 'foreach':
      return { id, foreach: '', as: 'item', do: [] };
    default:
      return { id, stop: { error: false } };
  }
}

/** What the API accepts: empty connections dropped, nested lists cleaned the same way. */
export function cleanSteps(steps: readonly Step[]): Step[] {
  return steps.map((s) => {
    if (isAction(s)) {
      const { connection, ...rest } = s;
      return connection ? { ...rest, connection } : rest;
    }
    if (isIf(s)) return { ...s, then: cleanSteps(s.then), else: cleanSteps(s.else) };
    if (isForeach(s)) return { ...s, do: cleanSteps(s.do) };
    return s;
  });
}

export function recipeBody(draft: RecipeInput): RecipeInput {
  const { connection, pollIntervalSeconds, ...trigger } = draft.trigger;
  return {
    name: draft.name,
    trigger: {
      ...trigger,
      ...(connection ? { connection } : {}),
      ...(pollIntervalSeconds !== undefined ? { pollIntervalSeconds } : {}),
    },
    steps: cleanSteps(draft.steps),
    onError: cleanSteps(draft.onError ?? []),
    concurrency: draft.concurrency ?? 1,
  };
}

/** Output fields as reported by the forms: `trigger` and step ids; `undefined` = dynamic. */
export type Outputs = ReadonlyMap<string, readonly Field[] | undefined>;

const ERROR_FIELDS: Field[] = [
  { name: 'message', label: 'Error message' },
  { name: 'code', label: 'Error code' },
  { name: 'stepId', label: 'Failed step id' },
];

function group(source: PillSource): PillGroup {
  return { title: source.title, pills: pillsOf(source) };
}

/**
 * The datapills each step may use, by step object: the trigger's output, the outputs of the
 * action steps before it in the document (as the server's validation sees them), the items of
 * enclosing `foreach` steps, and `error` in `onError`.
 */
export function pillsByStep(draft: RecipeInput, outputs: Outputs, triggerTitle: string): Map<Step, PillGroup[]> {
  const map = new Map<Step, PillGroup[]>();
  const sources: PillSource[] = [];
  if (draft.trigger.connector && draft.trigger.trigger) {
    sources.push({
      root: 'trigger',
      title: `Trigger: ${triggerTitle}`,
      fields: outputs.has('trigger') ? outputs.get('trigger') : [],
    });
  }
  const earlier: PillSource[] = [];
  const visit = (steps: readonly Step[], vars: PillSource[], extra: PillSource[]) => {
    for (const step of steps) {
      const here = [...extra, ...vars, ...sources, ...earlier];
      map.set(
        step,
        here.map(group).filter((g) => g.pills.length),
      );
      if (isAction(step) && step.id) {
        earlier.push({
          root: `steps.${step.id}`,
          title: `Step ${step.id}${step.action ? `: ${step.action}` : ''}`,
          fields: outputs.has(step.id) ? outputs.get(step.id) : [],
        });
      }
      if (isIf(step)) {
        visit(step.then, vars, extra);
        visit(step.else, vars, extra);
      }
      if (isForeach(step)) {
        const as = step.as || 'item';
        const itemFields = fieldsAt([...vars, ...sources, ...earlier], step.foreach);
        visit(
          step.do,
          [{ root: as, title: `Each ${as} of ${step.foreach || 'the list'}`, fields: itemFields }, ...vars],
          extra,
        );
      }
    }
  };
  visit(draft.steps, [], []);
  visit(draft.onError ?? [], [], [{ root: 'error', title: 'The error', fields: ERROR_FIELDS }]);
  return map;
}

/** Datapills as a flat list (for tests and the summary). */
export function flatPills(groups: readonly PillGroup[]): Datapill[] {
  return groups.flatMap((g) => g.pills);
}

/** The message after a save: the server's warnings (datapills it could not check) follow it. */
export function savedMessage(base: string, warnings: readonly RecipeWarning[] = []): string {
  return warnings.length ? `${base}. ${warnings.map((w) => w.message).join(' ')}` : base;
}
