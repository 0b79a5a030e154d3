/**
 * What generated forms need from the page around them: pick lists, datapills, errors.
 */
import { createContext, useContext } from 'react';
import type { PickListOption } from '../api/types';
import type { Datapill } from '../lib/datapills';

export interface PillGroup {
  title: string;
  pills: Datapill[];
}

export interface FormEnv {
  /** Resolves a connector pick list (dynamic and dependent ones through the API). */
  loadPickList?: (name: string, args: Record<string, unknown>) => Promise<PickListOption[]>;
  /** Datapills to offer; when set, fields also get a formula mode. */
  pills?: PillGroup[];
  /** Error messages by the path of the value (`steps[0].input.email`). */
  errors: ReadonlyMap<string, string>;
}

export const FormEnvContext = createContext<FormEnv>({ errors: new Map() });

export const useFormEnv = () => useContext(FormEnvContext);

/** The error at a path; with `below`, also the first error of any value under it. */
export function errorAt(errors: ReadonlyMap<string, string>, path: string, below = false): string | undefined {
  const exact = errors.get(path);
  if (exact || !below) return exact;
  for (const [p, message] of errors) {
    if (p.startsWith(`${path}.`) || p.startsWith(`${path}[`))
      return `${p.slice(path.length).replace(/^\./, '')}: ${message}`;
  }
  return undefined;
}
