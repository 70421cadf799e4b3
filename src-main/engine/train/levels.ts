/**
 * Training at a level of the category tree: the selection's leaf labels rolled up to depth
 * `level` ("Men > Shoes > Sneakers" at 2 is "Men > Shoes"), nothing relabelled. The model's
 * outputs are the rolled-up names, sorted as the selection sorts its labels, so a run trained
 * at a level reads like any other run whose categories happen to be those names.
 */
import { compareCodePoints } from '../../shared/order.js';
import { rollUp } from '../predict/labelMap.js';

export interface RolledUp {
  labels: string[];
  /** the rolled-up output index of each leaf label's index */
  indexOf: number[];
}

export function rollUpLabels(leaves: readonly string[], level: number | null | undefined): RolledUp {
  if (level === null || level === undefined) return { labels: [...leaves], indexOf: leaves.map((_, i) => i) };
  if (!Number.isInteger(level) || level < 1) throw new Error(`level must be a whole number from 1 (the top of the tree), got ${String(level)}`);
  const names = leaves.map((name) => rollUp(name, level));
  const labels = [...new Set(names)].sort(compareCodePoints);
  const index = new Map(labels.map((name, i) => [name, i]));
  return { labels, indexOf: names.map((name) => index.get(name)!) };
}

/**
 * The level figures are given at for a run trained at `runLevel`: never finer than the run's
 * own categories (a leaf label against a rolled-up prediction would always differ).
 */
export function effectiveLevel(asked: number | null | undefined, runLevel: number | null | undefined): number | null {
  const a = asked ?? null;
  const r = runLevel ?? null;
  if (r === null) return a;
  return a === null ? r : Math.min(a, r);
}

/**
 * Each category's id at `level`: its own when it is no deeper, else its ancestor's (the
 * category tree holds every ancestor, so a rolled-up name is always a category).
 */
export function categoryAtLevel(categories: readonly { id: number; name: string }[], level: number | null): (categoryId: number) => number {
  if (level === null) return (id) => id;
  const idOf = new Map(categories.map((c) => [c.name, c.id]));
  const at = new Map(categories.map((c) => [c.id, idOf.get(rollUp(c.name, level)) ?? c.id]));
  return (id) => at.get(id) ?? id;
}
