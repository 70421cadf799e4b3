/**
 * Evaluation figures from stored predictions and the items' current labels: top-1, top-5,
 * per-category precision/recall/F1, the most confused pairs, and confusion matrices, at the
 * leaves or rolled up to a level of the tree. Pure functions over the rows, so the figures
 * follow every relabel at once.
 */
import type { CategoryMetric, ConfusedPair, ConfusionMatrix } from '../../shared/predict.js';
import { decodeTopK, type ScoredItem } from '../db/repos/predictions.js';
import { rollUp, type LabelMap } from './labelMap.js';

export interface Figures {
  predicted: number;
  stale: number;
  top1: number | null;
  top5: number | null;
  categories: CategoryMetric[];
  pairs: ConfusedPair[];
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function figures(rows: readonly ScoredItem[], map: LabelMap, level: number | null, maxPairs = 200): Figures {
  const nameOf = (stored: number): string => rollUp(map.describe(stored).name, level);
  const support = new Map<string, number>();
  const predicted = new Map<string, number>();
  const correct = new Map<string, number>();
  const pairs = new Map<string, number>();
  let top1 = 0;
  let top5 = 0;
  let stale = 0;
  for (const r of rows) {
    const label = rollUp(map.nameOf(r.category_id), level);
    const guess = nameOf(r.top1);
    if (r.label_id !== r.category_id) stale++;
    support.set(label, (support.get(label) ?? 0) + 1);
    predicted.set(guess, (predicted.get(guess) ?? 0) + 1);
    if (label === guess) {
      top1++;
      correct.set(label, (correct.get(label) ?? 0) + 1);
    } else {
      const key = `${label}\u0000${guess}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    if (decodeTopK(r.top_k).some(([c]) => nameOf(c) === label)) top5++;
  }
  const names = new Set([...support.keys(), ...predicted.keys()]);
  const categories = [...names].sort().map((name): CategoryMetric => {
    const tp = correct.get(name) ?? 0;
    const s = support.get(name) ?? 0;
    const p = predicted.get(name) ?? 0;
    const precision = ratio(tp, p);
    const recall = ratio(tp, s);
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : precision === 0 || recall === 0 ? 0 : null;
    return { categoryId: map.idOfName.get(name) ?? null, name, precision, recall, f1, support: s, predicted: p };
  });
  const ranked = [...pairs.entries()]
    .map(([key, count]): ConfusedPair => {
      const [l, g] = key.split('\u0000') as [string, string];
      return { labelled: { id: map.idOfName.get(l) ?? null, name: l }, predicted: { id: map.idOfName.get(g) ?? null, name: g }, count, share: count / (support.get(l) ?? count) };
    })
    .sort((a, b) => b.count - a.count || b.share - a.share || (a.labelled.name < b.labelled.name ? -1 : 1))
    .slice(0, maxPairs);
  const n = rows.length;
  return { predicted: n, stale, top1: ratio(top1, n), top5: ratio(top5, n), categories, pairs: ranked };
}

/**
 * Rows: items labelled with one of `chosen` (names at `level`); columns: the same, plus
 * "(other)" for predictions outside them.
 */
export function confusionMatrix(rows: readonly ScoredItem[], map: LabelMap, chosen: readonly string[], level: number | null): ConfusionMatrix {
  const index = new Map(chosen.map((name, i) => [name, i]));
  const other = chosen.length;
  const counts = chosen.map(() => new Array<number>(chosen.length + 1).fill(0));
  for (const r of rows) {
    const row = index.get(rollUp(map.nameOf(r.category_id), level));
    if (row === undefined) continue;
    const col = index.get(rollUp(map.describe(r.top1).name, level)) ?? other;
    counts[row]![col]!++;
  }
  const hasOther = counts.some((c) => c[other]! > 0);
  return {
    categories: [...chosen.map((name) => ({ id: map.idOfName.get(name) ?? null, name })), ...(hasOther ? [{ id: null, name: '(other)' }] : [])],
    counts: hasOther ? counts : counts.map((c) => c.slice(0, other)),
  };
}
