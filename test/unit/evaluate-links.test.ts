/** From a number in the evaluation to the Browse filter of exactly its items (src-renderer/features/evaluate/links.ts). */
import { describe, expect, it } from 'vitest';
import { itemFilter } from '../../src-main/shared/contract.js';
import { itemsLink, scopeFilter } from '../../src-renderer/features/evaluate/links.js';

const A = { id: 3, name: 'Men > Shoes' };
const B = { id: 7, name: 'Women > Shoes' };

describe('evaluation links', () => {
  it('at the leaves, a pair is the labelled category\'s own items (not its sub-categories) predicted as the other', () => {
    const link = itemsLink({ run: 'r1', scope: scopeFilter('validation'), level: null }, A, B)!;
    expect(link.filter).toEqual({ split: 'validation', categoryId: 3, descendants: false, prediction: { run: 'r1', predicted: 7 }, sort: 'disagreement' });
    expect(link.chip).toBe('labelled Men > Shoes, predicted Women > Shoes, validation split, run r1');
    expect(itemFilter.safeParse(link.filter).success).toBe(true);
  });

  it('rolled up to a level, a category stands for its whole subtree', () => {
    const link = itemsLink({ run: 'r1', scope: scopeFilter('all'), level: 1 }, A, B)!;
    expect(link.filter).toEqual({ categoryId: 3, prediction: { run: 'r1', predicted: 7 }, sort: 'disagreement' });
  });

  it('a row opens the labelled items the model gets wrong, the predicted column those it wrongly takes for it', () => {
    const ctx = { run: 'r1', scope: scopeFilter('12'), level: null };
    expect(itemsLink(ctx, A, null, true)!.filter).toEqual({ categoryId: 3, descendants: false, prediction: { run: 'r1', misclassified: true }, sort: 'disagreement' });
    const predicted = itemsLink(ctx, null, B, true)!;
    expect(predicted.filter).toEqual({ categoryId: 12, prediction: { run: 'r1', predicted: 7, misclassified: true }, sort: 'disagreement' });
    expect(predicted.chip).toBe('predicted Women > Shoes, misclassified, run r1');
  });

  it('a category the project no longer has leads nowhere', () => {
    expect(itemsLink({ run: 'r1', scope: {}, level: null }, { id: null, name: 'Gone' }, B)).toBeNull();
  });
});
