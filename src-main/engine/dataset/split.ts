/**
 * Stratified train/validation split. Within each category the items are ranked by a seeded
 * hash of their path, and the first round(n * fraction) go to validation: repeatable for a
 * seed, whatever the row order. Exact duplicates form one unit that goes to one split, so a
 * picture cannot be in both. Items keep their split when relabeled; running the split again
 * with the same settings only places new items.
 */
import type { Progress } from '../../shared/types.js';
import { seededHash } from '../../shared/random.js';
import type { PlanItem, Split } from '../db/repos/plan.js';
import type { Project } from '../project.js';
import { pushTo } from '../../shared/collections.js';
import { hashDuplicateCandidates } from './duplicates.js';

export interface SplitOptions {
  validation?: number;
  seed?: number;
  /** re-split everything even when the settings are unchanged */
  reset?: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface CategorySplit {
  name: string;
  items: number;
  train: number;
  validation: number;
  target: number;
}

export interface SplitSummary {
  validation: number;
  seed: number;
  train: number;
  validationItems: number;
  placed: number;
  kept: number;
  duplicateGroups: number;
  categories: CategorySplit[];
  /** categories with too few items for a validation part: all their items are in train */
  tooSmall: { name: string; items: number }[];
}

/** items whose split is written per transaction */
export const SPLIT_CHUNK = 20_000;

export async function splitDataset(project: Project, options: SplitOptions = {}): Promise<SplitSummary> {
  const validation = options.validation ?? 0.1;
  const seed = options.seed ?? 42;
  if (!(validation > 0 && validation < 1)) throw new Error(`the validation share must be between 0 and 1 (got ${validation})`);
  if (!Number.isInteger(seed)) throw new Error(`the seed must be an integer (got ${seed})`);
  await hashDuplicateCandidates(project, options.onProgress, options.signal);
  // with duplicates half hashed, identical files could land in both splits: stop before writing
  if (options.signal?.aborted) throw new Error('split cancelled: nothing was changed');

  const previous = project.meta.get('split_settings');
  const settings = JSON.stringify({ validation, seed });
  const reset = options.reset === true || previous !== settings;
  const items = project.plan.activeItems();
  const decided = new Map<string, Split>();
  const unitOf = (item: PlanItem): string => item.content_hash ?? `#${item.id}`;
  if (!reset) for (const item of items) if (item.split) decided.set(unitOf(item), item.split);

  const members = new Map<string, PlanItem[]>();
  const byCategory = new Map<number, PlanItem[]>();
  for (const item of items) {
    pushTo(members, unitOf(item), item);
    pushTo(byCategory, item.category_id, item);
  }

  const tooSmall: SplitSummary['tooSmall'] = [];
  for (const [categoryId, list] of [...byCategory].sort((a, b) => a[0] - b[0])) {
    const target = Math.round(list.length * validation);
    if (target === 0) tooSmall.push({ name: project.categories.nameOf(categoryId), items: list.length });
    const ranked = list.map((item) => ({ item, rank: seededHash(item.path, seed) })).sort((a, b) => a.rank - b.rank || a.item.id - b.item.id);
    let inValidation = ranked.filter(({ item }) => decided.get(unitOf(item)) === 'validation').length;
    for (const { item } of ranked) {
      const unit = unitOf(item);
      if (decided.has(unit)) continue;
      const here = members.get(unit)!.filter((m) => m.category_id === categoryId).length;
      const split: Split = inValidation + here <= target ? 'validation' : 'train';
      if (split === 'validation') inValidation += here;
      decided.set(unit, split);
    }
  }

  const assign = new Map<number, Split>();
  let kept = 0;
  for (const item of items) {
    const split = decided.get(unitOf(item))!;
    if (item.split === split) kept++;
    else assign.set(item.id, split);
  }
  // Written in transactions of SPLIT_CHUNK items with a pause between, so other writers (a
  // relabel in the studio, a CLI command) interleave: a million updates in one transaction
  // held the write lock for longer than their busy timeout. The settings are stored last, so a
  // split killed half way is redone whole by the next run (or, with the same settings, only
  // the items still without a split are placed).
  const rows = reset ? items.map((i): [number, Split] => [i.id, decided.get(unitOf(i))!]) : [...assign];
  for (let start = 0; start === 0 || start < rows.length; start += SPLIT_CHUNK) {
    project.db.transaction(() => {
      if (reset && start === 0) project.plan.clearSplits();
      project.plan.setSplits(new Map(rows.slice(start, start + SPLIT_CHUNK)));
    })();
    if (start + SPLIT_CHUNK < rows.length) await new Promise((resolve) => setImmediate(resolve));
  }
  project.meta.set('split_settings', settings);

  const categories: CategorySplit[] = [...byCategory].map(([categoryId, list]) => {
    const v = list.filter((i) => decided.get(unitOf(i)) === 'validation').length;
    return { name: project.categories.nameOf(categoryId), items: list.length, train: list.length - v, validation: v, target: Math.round(list.length * validation) };
  });
  categories.sort((a, b) => a.name.localeCompare(b.name));
  const validationItems = categories.reduce((s, c) => s + c.validation, 0);
  return {
    validation,
    seed,
    train: items.length - validationItems,
    validationItems,
    placed: reset ? items.length : assign.size,
    kept: reset ? 0 : kept,
    duplicateGroups: [...members.values()].filter((m) => m.length > 1).length,
    categories,
    tooSmall,
  };
}
