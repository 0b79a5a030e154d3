/**
 * Checking a datapill against the output fields it reads, and the warning for datapills that
 * could not be checked because those fields could not be resolved when the recipe was saved.
 */
import type { Field } from '@weft/sdk';
import type { RecipeWarning } from '@weft/sdk/model';
import { effectiveType } from '@weft/sdk/runtime';

/** Output fields of a trigger or action: a list, or `undefined` when computed at run time. */
export type OutputFields = readonly Field[] | undefined;

/** Field names along `names` below a trigger's or step's output; a message when one is not declared. */
export function fieldProblem(fields: OutputFields, names: string[], prefix: string, owner: string): string | undefined {
  let current = fields;
  for (let i = 0; i < names.length; i++) {
    if (current === undefined) return undefined;
    const pill = `${prefix}.${names.slice(0, i + 1).join('.')}`;
    const field = current.find((f) => f.name === names[i]);
    if (!field) {
      const known = current.map((f) => f.name);
      const where = i === 0 ? 'outputs' : `declares under ${prefix}.${names.slice(0, i).join('.')}`;
      return `datapill "${pill}" is not declared: ${owner} ${where}: ${known.length ? known.join(', ') : 'no fields'}`;
    }
    const type = effectiveType(field);
    if (field.properties) current = field.properties;
    else if (type === 'object' || (type === 'array' && (field.of === undefined || field.of === 'object')))
      current = undefined;
    else if (i < names.length - 1)
      return `datapill "${prefix}.${names.join('.')}": ${pill} is ${type === 'array' ? `a list of ${field.of}` : `a ${type}`} and has no field "${names[i + 1]}"`;
  }
  return undefined;
}

/** A save's warning is the API's shape (`@weft/sdk/model`). */
export type { RecipeWarning };

/** Where output fields could not be resolved, and why. */
export interface Unresolved {
  /** The step's path in the recipe. */
  path: string;
  /** `the trigger shop.new_order`, `step "contact" (crm.create_contact)`. */
  label: string;
  reason: string;
}

/** Collects datapills read from output fields that could not be resolved, one warning per step. */
export class UncheckedDatapills {
  private readonly byStep = new Map<string, RecipeWarning & { reason: string; label: string }>();

  add(owner: Unresolved, datapill: string, path: string): void {
    let warning = this.byStep.get(owner.path);
    if (!warning) {
      warning = {
        code: 'DATAPILLS_UNCHECKED',
        path: owner.path,
        message: '',
        datapills: [],
        reason: owner.reason,
        label: owner.label,
      };
      this.byStep.set(owner.path, warning);
    }
    if (!warning.datapills.some((d) => d.datapill === datapill && d.path === path))
      warning.datapills.push({ datapill, path });
  }

  warnings(): RecipeWarning[] {
    return [...this.byStep.values()].map(({ code, path, datapills, reason, label }) => ({
      code,
      path,
      message: `The output fields of ${label} could not be resolved (${reason}), so these datapills were not checked: ${datapills.map((d) => d.datapill).join(', ')}`,
      datapills,
    }));
  }
}
