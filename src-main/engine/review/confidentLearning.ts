/**
 * Confident learning (Northcutt, Jiang and Chuang, 2021) over out-of-sample probabilities,
 * holding per item only its top k categories and the probability of its label (never the
 * item-by-category matrix: 4 GB at a million items and a thousand categories).
 *
 * - The threshold of category j is the mean probability of j over items labelled j.
 * - An item labelled i counts in the confident joint at (i, j*), where j* is its most probable
 *   category among those at or above their threshold (only the top k are looked at: a
 *   category outside an item's top k is almost never above its threshold).
 * - The joint, calibrated to the category sizes, estimates how many labels are wrong per
 *   category and per pair.
 * - The ranking: self-confidence (1 - p(label)) or the normalised margin
 *   (p(label) - max other p); higher score = more likely wrong.
 * - Which items are suspected (the filter): by default the N highest-scoring items, N the
 *   joint's estimate of wrong labels (cleanlab's "low_self_confidence" filter); or the items
 *   off the joint's diagonal ("confident-joint"). On noisy Fashion-MNIST (6,084 flipped) the
 *   first put 0.900 of the flipped items in the first 6,084 of the queue, the second 0.802:
 *   an item whose label is below its threshold while no other category reaches its own is
 *   often wrong, and the off-diagonal filter never shows it (docs/benchmarks.md).
 */

export interface OutOfSample {
  /** per row: its label as a class index */
  label: Int32Array;
  /** per row: out-of-sample probability of its label */
  labelProb: Float32Array;
  /** per row: k class indices, most probable first, and their probabilities */
  topClass: Int32Array;
  topProb: Float32Array;
  k: number;
  classes: number;
}

export type Ranking = 'self-confidence' | 'margin';
export type SuspectFilter = 'lowest-score' | 'confident-joint';

export interface ItemVerdict {
  suggested: number;
  suggestedProb: number;
  score: number;
  suspected: boolean;
}

export interface ConfidentLearning {
  thresholds: Float64Array;
  verdicts: ItemVerdict[];
  /** calibrated estimate of wrong labels per class */
  estimatedErrors: Float64Array;
  /** label counts per class */
  counts: Float64Array;
  /** estimated wrong labels per (given, true) pair, largest first */
  pairs: { given: number; likely: number; estimated: number }[];
}

export interface ConfidentLearningOptions {
  ranking?: Ranking;
  filter?: SuspectFilter;
  /** rows that are never suspected (labels a reviewer kept) */
  excluded?: (row: number) => boolean;
}

export function confidentLearning(o: OutOfSample, options: ConfidentLearningOptions = {}): ConfidentLearning {
  const { ranking = 'self-confidence', filter = 'lowest-score', excluded } = options;
  const n = o.label.length;
  const sums = new Float64Array(o.classes);
  const counts = new Float64Array(o.classes);
  for (let r = 0; r < n; r++) {
    sums[o.label[r]!]! += o.labelProb[r]!;
    counts[o.label[r]!]!++;
  }
  const thresholds = sums.map((s, j) => (counts[j]! > 0 ? s / counts[j]! : 1));
  const joint = new Map<number, Map<number, number>>();
  const verdicts: ItemVerdict[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const i = o.label[r]!;
    const pi = o.labelProb[r]!;
    let best = pi >= thresholds[i]! ? i : -1;
    let bestP = best === i ? pi : -1;
    let other = -1;
    let otherP = 0;
    for (let t = 0; t < o.k; t++) {
      const j = o.topClass[r * o.k + t]!;
      const p = o.topProb[r * o.k + t]!;
      if (j < 0 || j === i) continue;
      if (other < 0) (other = j), (otherP = p);
      if (p >= thresholds[j]! && p > bestP) (best = j), (bestP = p);
    }
    if (best >= 0) {
      const row = joint.get(i) ?? new Map<number, number>();
      row.set(best, (row.get(best) ?? 0) + 1);
      joint.set(i, row);
    }
    const score = ranking === 'self-confidence' ? 1 - pi : (1 - (pi - otherP)) / 2;
    verdicts[r] = { suggested: other, suggestedProb: otherP, score, suspected: best >= 0 && best !== i && !(excluded?.(r) ?? false) };
  }
  const estimatedErrors = new Float64Array(o.classes);
  const pairs: ConfidentLearning['pairs'] = [];
  for (const [i, row] of joint) {
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    for (const [j, c] of row) {
      if (j === i) continue;
      const estimated = (c / total) * counts[i]!; // calibrated: the row sums to the category's size
      estimatedErrors[i]! += estimated;
      pairs.push({ given: i, likely: j, estimated });
    }
  }
  pairs.sort((a, b) => b.estimated - a.estimated);
  if (filter === 'lowest-score') suspectHighestScores(verdicts, Math.round(estimatedErrors.reduce((a, b) => a + b, 0)), excluded);
  return { thresholds, verdicts, estimatedErrors, counts, pairs };
}

/** Marks the `count` highest-scoring rows (leaving out excluded ones) as the suspected, and only those. */
function suspectHighestScores(verdicts: ItemVerdict[], count: number, excluded?: (row: number) => boolean): void {
  const rows = [...verdicts.keys()].filter((r) => !(excluded?.(r) ?? false));
  rows.sort((a, b) => verdicts[b]!.score - verdicts[a]!.score || a - b);
  for (const v of verdicts) v.suspected = false;
  for (const r of rows.slice(0, count)) verdicts[r]!.suspected = true;
}
