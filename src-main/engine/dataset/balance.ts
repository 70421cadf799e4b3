/**
 * Balance: the distribution of items per category, and a plan that caps big categories
 * (a seeded sample), and drops or oversamples small ones. The plan acts on training items;
 * validation stays a faithful sample of the data (a dropped category leaves both).
 * Oversampling repeats items in training only. An applied plan is stored, so that export
 * and training use the same one.
 */
import type { BalanceCategory } from '../../shared/contract.js';
import { seededHash } from '../../shared/random.js';
import type { PlanItem } from '../db/repos/plan.js';
import type { Project } from '../project.js';
import { moveItems, type EditResult } from './labels.js';
import { pushTo } from '../../shared/collections.js';
import { compareCodePoints } from '../../shared/order.js';

export interface Distribution {
  categories: { name: string; count: number }[];
  summary: { categories: number; items: number; min: number; median: number; max: number; imbalance: number };
}

export function distribution(project: Project): Distribution {
  const categories = project.categories.activeCounts().map((c) => ({ name: c.name, count: c.count }));
  const counts = categories.map((c) => c.count).sort((a, b) => a - b);
  const min = counts[0] ?? 0;
  const max = counts[counts.length - 1] ?? 0;
  const mid = counts.length >> 1;
  const median = counts.length === 0 ? 0 : counts.length % 2 ? counts[mid]! : (counts[mid - 1]! + counts[mid]!) / 2;
  return {
    categories,
    summary: { categories: counts.length, items: counts.reduce((s, n) => s + n, 0), min, median, max, imbalance: min > 0 ? max / min : 0 },
  };
}

export interface BalanceOptions {
  maxPerCategory?: number;
  minPerCategory?: number;
  /** below the minimum: repeat items up to it (true) or drop the category (false) */
  oversample?: boolean;
  seed?: number;
}

/** One category of a plan (`items` are training items, all items when there is no split yet). */
export type CategoryPlan = BalanceCategory;

export interface BalancePlan {
  options: Required<BalanceOptions>;
  categories: CategoryPlan[];
  totals: { items: number; kept: number; dropped: number; repeated: number; final: number };
  /** copies per item id (0 = left out); items not listed count once */
  copies: Map<number, number>;
  /** the items the plan was made for: an applied plan keeps it to notice when it goes stale */
  basis: PlanBasis;
}

/**
 * What a plan was made from: a fingerprint of every active item's id, category and split (a
 * relabel, exclusion, import or new split changes it, an undo puts it back), and the training
 * and validation count per category, to say what changed.
 */
export interface PlanBasis {
  fingerprint: string;
  categories: Record<string, { train: number; validation: number }>;
}

/** Two 32-bit FNV-1a lanes over the numbers: cheap at a million items, and collisions do not matter here. */
function fingerprintOf(items: readonly PlanItem[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ items.length;
  for (const i of items) {
    for (const n of [i.id, i.category_id, i.split === 'validation' ? 2 : i.split === 'train' ? 1 : 0]) {
      a = Math.imul(a ^ n, 0x01000193) >>> 0;
      b = Math.imul(b ^ (n + 0x9e3779b9), 0x01000193) >>> 0;
    }
  }
  return `${items.length}-${a.toString(16)}${b.toString(16)}`;
}

export function planBalance(project: Project, options: BalanceOptions): BalancePlan {
  const opts: Required<BalanceOptions> = {
    maxPerCategory: options.maxPerCategory ?? 0,
    minPerCategory: options.minPerCategory ?? 0,
    oversample: options.oversample ?? false,
    seed: options.seed ?? 42,
  };
  for (const [k, v] of Object.entries({ maxPerCategory: opts.maxPerCategory, minPerCategory: opts.minPerCategory })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k} must be a whole number of items, 0 for none (got ${v})`);
  }
  if (opts.maxPerCategory && opts.minPerCategory > opts.maxPerCategory) throw new Error(`the minimum (${opts.minPerCategory}) is above the maximum (${opts.maxPerCategory})`);

  const active = project.plan.activeItems();
  const byCategory = new Map<number, PlanItem[]>();
  for (const item of active) pushTo(byCategory, item.category_id, item);
  const copies = new Map<number, number>();
  const categories: CategoryPlan[] = [];
  const basis: PlanBasis = { fingerprint: fingerprintOf(active), categories: {} };
  for (const [categoryId, all] of byCategory) {
    const validation = all.filter((i) => i.split === 'validation');
    const train = all.filter((i) => i.split !== 'validation');
    basis.categories[project.categories.nameOf(categoryId)] = { train: train.length, validation: validation.length };
    const ranked = train.map((item) => ({ item, rank: seededHash(item.path, opts.seed) })).sort((a, b) => a.rank - b.rank || a.item.id - b.item.id).map((r) => r.item);
    const n = ranked.length;
    let action: CategoryPlan['action'] = 'keep';
    let kept = n;
    let repeated = 0;
    if (opts.minPerCategory && n < opts.minPerCategory) {
      if (opts.oversample && n > 0) {
        action = 'oversample';
        ranked.forEach((item, i) => copies.set(item.id, Math.floor(opts.minPerCategory / n) + (i < opts.minPerCategory % n ? 1 : 0)));
        repeated = opts.minPerCategory - n;
      } else {
        action = 'drop';
        kept = 0;
        for (const item of all) copies.set(item.id, 0);
      }
    } else if (opts.maxPerCategory && n > opts.maxPerCategory) {
      action = 'cap';
      kept = opts.maxPerCategory;
      ranked.slice(kept).forEach((item) => copies.set(item.id, 0));
    }
    categories.push({
      name: project.categories.nameOf(categoryId), items: n, kept, dropped: n - kept, repeated, final: kept + repeated,
      validation: action === 'drop' ? 0 : validation.length, action,
    });
  }
  categories.sort((a, b) => a.name.localeCompare(b.name));
  const sum = (k: 'items' | 'kept' | 'dropped' | 'repeated' | 'final'): number => categories.reduce((s, c) => s + c[k], 0);
  return { options: opts, categories, totals: { items: sum('items'), kept: sum('kept'), dropped: sum('dropped'), repeated: sum('repeated'), final: sum('final') }, copies, basis };
}

/** Stores a plan (replacing the previous one): export and training follow it from now on. */
export function applyBalance(project: Project, plan: BalancePlan): void {
  project.db.transaction(() => {
    project.plan.replaceBalance(plan.copies);
    project.meta.set('balance_plan', JSON.stringify({ options: plan.options, totals: plan.totals, applied_at: new Date().toISOString(), basis: plan.basis }));
  })();
}

export interface AppliedPlan {
  options: Required<BalanceOptions>;
  totals: BalancePlan['totals'];
  appliedAt: string;
  /** null while the plan matches the items; else what changed since it was applied (a re-plan with the same options brings it up to date) */
  stale: string[] | null;
}

/**
 * The stored plan, and whether the items moved on since it was applied: items added since
 * count once (past a cap), relabeled ones keep the copies they had, so a stale plan no longer
 * balances. `current` is the basis of a plan just made, to save a second pass over the items.
 */
export function appliedPlan(project: Project, current?: PlanBasis): AppliedPlan | null {
  const stored = JSON.parse(project.meta.get('balance_plan') ?? 'null') as { options: AppliedPlan['options']; totals: AppliedPlan['totals']; applied_at: string; basis?: PlanBasis } | null;
  if (!stored) return null;
  const now = current ?? planBalance(project, {}).basis;
  const base = { options: stored.options, totals: stored.totals, appliedAt: stored.applied_at };
  if (!stored.basis) return { ...base, stale: ['it was applied by an older version of Shiwake, which did not record the items it was made for: apply it again to be sure'] };
  if (stored.basis.fingerprint === now.fingerprint) return { ...base, stale: null };
  return { ...base, stale: describeChanges(stored.basis, now) };
}

function describeChanges(before: PlanBasis, after: PlanBasis): string[] {
  const changes: string[] = [];
  const names = [...new Set([...Object.keys(before.categories), ...Object.keys(after.categories)])].sort(compareCodePoints);
  const count = (c: { train: number; validation: number }): string => `${c.train} train + ${c.validation} validation`;
  for (const name of names) {
    const b = before.categories[name];
    const a = after.categories[name];
    if (!b) changes.push(`${name}: new (${count(a!)})`);
    else if (!a) changes.push(`${name}: no active items now (had ${count(b)})`);
    else if (a.train !== b.train || a.validation !== b.validation) changes.push(`${name}: ${count(b)} -> ${count(a)}`);
  }
  const total = (p: PlanBasis): number => Object.values(p.categories).reduce((s, c) => s + c.train + c.validation, 0);
  if (changes.length === 0) changes.push(`items were relabeled, imported or split again with the same counts per category (${total(after)} active items)`);
  return changes;
}

export function clearBalance(project: Project): void {
  project.db.transaction(() => {
    project.plan.replaceBalance(new Map());
    project.meta.set('balance_plan', 'null');
  })();
}

/** Merges categories into one: a relabel batch like any other, so it can be undone. */
export function mergeCategories(project: Project, from: string[], into: string): EditResult {
  const ids: number[] = [];
  for (const name of from) {
    const categoryId = project.categories.findId(name);
    if (categoryId === undefined) throw new Error(`there is no category "${name}"`);
    ids.push(...project.items.idsInCategory(categoryId));
  }
  return moveItems(project, ids, into, 'merge');
}
