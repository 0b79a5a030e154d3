/** What the step forms of a recipe share: datapills per step, step ids taken, connectors. */
import { createContext } from 'react';
import type { Field, Step } from '../api/types';
import type { PillGroup } from '../forms/env';

export interface Builder {
  pills: ReadonlyMap<Step, PillGroup[]>;
  takenIds: () => Set<string>;
  reportOutput: (stepId: string, fields: readonly Field[] | undefined) => void;
  connectors: ReadonlyArray<{ name: string; title?: string; actions: string[]; triggers: string[] }>;
}

export const BuilderContext = createContext<Builder>({
  pills: new Map(),
  takenIds: () => new Set(),
  reportOutput: () => {},
  connectors: [],
});
