/** From a number in the evaluation to exactly its items in Browse: the filter and the chip that names it. */
import type { ItemFilter } from '../../../src-main/shared/contract.js'; // .js: the unit tests typecheck this file under NodeNext too

export interface EvalContext {
  run: string;
  /** the evaluation's own filter (all, the validation split, one category) */
  scope: ItemFilter;
  /** the tree level figures are rolled up to; null for the leaves */
  level: number | null;
}

interface Category {
  id: number | null;
  name: string;
}

export interface ItemsLink {
  filter: ItemFilter;
  chip: string;
}

/**
 * Items labelled `labelled` (when given) whose top-1 is `predicted` (when given), or any other
 * category with `misclassified`. At the leaves a category means its own items only; rolled up,
 * a category stands for its whole subtree.
 */
export function itemsLink(ctx: EvalContext, labelled: Category | null, predicted: Category | null, misclassified = false): ItemsLink | null {
  if ((labelled && labelled.id === null) || (predicted && predicted.id === null)) return null; // a category the project no longer has
  const filter: ItemFilter = {
    ...ctx.scope,
    ...(labelled ? { categoryId: labelled.id!, ...(ctx.level === null ? { descendants: false } : {}) } : {}),
    prediction: { run: ctx.run, ...(predicted ? { predicted: predicted.id! } : {}), ...(misclassified ? { misclassified: true } : {}) },
    sort: 'disagreement',
  };
  const parts = [labelled && `labelled ${labelled.name}`, predicted && `predicted ${predicted.name}`, misclassified && 'misclassified', ctx.scope.split && `${ctx.scope.split} split`, `run ${ctx.run}`];
  return { filter, chip: parts.filter(Boolean).join(', ') };
}

export function scopeFilter(scope: string): ItemFilter {
  if (scope === 'all') return {};
  if (scope === 'validation') return { split: 'validation' };
  return { categoryId: Number(scope) };
}
