import type { ItemFilter, Selection } from '../../../src-main/shared/contract';

/** The grid's selection: explicit ids, or "everything in this view" (which may be 1M items). */
export interface GridSelection {
  ids: Set<number>;
  all: boolean;
  anchor: number | null;
  cursor: number;
}

export const emptySelection: GridSelection = { ids: new Set(), all: false, anchor: null, cursor: 0 };

export function selectionCount(s: GridSelection, total: number): number {
  return s.all ? total : s.ids.size;
}

export function toSelection(s: GridSelection, filter: ItemFilter, cursorId: number | undefined): Selection | null {
  if (s.all) return { filter };
  if (s.ids.size > 0) return { ids: [...s.ids] };
  return cursorId !== undefined ? { ids: [cursorId] } : null;
}
