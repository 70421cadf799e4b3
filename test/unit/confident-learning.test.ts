import { describe, expect, it } from 'vitest';
import { confidentLearning } from '../../src-main/engine/review/confidentLearning.js';
import { stratifiedFolds } from '../../src-main/engine/review/outOfSample.js';

/** rows: [label, probabilities of classes 0..2] */
function input(rows: [number, number[]][]) {
  const k = 3;
  const topClass = new Int32Array(rows.length * k);
  const topProb = new Float32Array(rows.length * k);
  rows.forEach(([, p], r) => {
    const order = [0, 1, 2].sort((a, b) => p[b]! - p[a]!);
    order.forEach((c, t) => ((topClass[r * k + t] = c), (topProb[r * k + t] = p[c]!)));
  });
  return { label: Int32Array.from(rows.map(([l]) => l)), labelProb: Float32Array.from(rows.map(([l, p]) => p[l]!)), topClass, topProb, k, classes: 3 };
}

describe('confident learning', () => {
  // class 0: three confident items and one that looks like class 1; class 1: three confident; class 2: two
  const rows: [number, number[]][] = [
    [0, [0.9, 0.05, 0.05]], [0, [0.8, 0.1, 0.1]], [0, [0.85, 0.1, 0.05]], [0, [0.1, 0.85, 0.05]],
    [1, [0.1, 0.8, 0.1]], [1, [0.05, 0.9, 0.05]], [1, [0.2, 0.7, 0.1]],
    [2, [0.1, 0.1, 0.8]], [2, [0.3, 0.1, 0.6]],
  ];
  const cl = confidentLearning(input(rows));

  it('thresholds are the mean probability of each class over its own items', () => {
    expect(cl.thresholds[0]).toBeCloseTo((0.9 + 0.8 + 0.85 + 0.1) / 4);
    expect(cl.thresholds[1]).toBeCloseTo((0.8 + 0.9 + 0.7) / 3);
    expect(cl.thresholds[2]).toBeCloseTo(0.7);
  });

  it('suspects exactly the item off the confident joint diagonal, suggests its class, and ranks it first', () => {
    expect(cl.verdicts.map((v) => v.suspected)).toEqual([false, false, false, true, false, false, false, false, false]);
    expect(cl.verdicts[3]).toMatchObject({ suggested: 1 });
    expect(cl.verdicts[3]!.suggestedProb).toBeCloseTo(0.85);
    expect(cl.verdicts[3]!.score).toBeCloseTo(0.9);
    const ranked = cl.verdicts.map((v, i) => [v.score, i] as const).sort((a, b) => b[0] - a[0]);
    expect(ranked[0]![1]).toBe(3);
  });

  it('estimates wrong labels per class from the calibrated joint', () => {
    // class 0: 4 items, joint row {0: 3, 1: 1} -> 1 estimated error
    expect(cl.estimatedErrors[0]).toBeCloseTo(1);
    expect(cl.estimatedErrors[1]).toBeCloseTo(0);
    expect(cl.pairs[0]).toMatchObject({ given: 0, likely: 1 });
    expect(cl.pairs[0]!.estimated).toBeCloseTo(1);
  });

  it('leaves kept items out of the suspects, and ranks by the normalised margin on request', () => {
    const keptThree = confidentLearning(input(rows), { excluded: (r) => r === 3 }).verdicts;
    expect(keptThree[3]!.suspected).toBe(false);
    expect(keptThree.filter((v) => v.suspected)).toHaveLength(1); // the estimate still says one: the next most likely takes its place
    const margin = confidentLearning(input(rows), { ranking: 'margin' });
    expect(margin.verdicts[3]!.score).toBeCloseTo((1 - (0.1 - 0.85)) / 2);
  });

  it('by default suspects the N lowest self-confidence items, N the estimate; the off-diagonal filter misses a wrong label no other class claims', () => {
    // item 9 (labelled 0) is spread thin: no class reaches its threshold, so it is off no diagonal;
    // item 10 (labelled 1) is claimed by class 0 but less doubtful than item 9
    const spread: [number, number[]][] = [...rows, [0, [0.2, 0.4, 0.4]], [1, [0.62, 0.36, 0.02]]];
    const lowest = confidentLearning(input(spread));
    const offDiagonal = confidentLearning(input(spread), { filter: 'confident-joint' });
    const suspects = (v: { suspected: boolean }[]) => v.flatMap((x, i) => (x.suspected ? [i] : []));
    expect(offDiagonal.estimatedErrors.reduce((a, b) => a + b, 0)).toBeCloseTo(2.25); // 1/4 of class 0's 5 items, 1/4 of class 1's 4
    expect(suspects(offDiagonal.verdicts)).toEqual([3, 10]);
    expect(suspects(lowest.verdicts)).toEqual([3, 9]); // the two highest scores: 0.9 and 0.8
    expect(lowest.verdicts[9]).toMatchObject({ suggested: 1 });
  });

  it('deals each class round-robin into stratified, repeatable folds', () => {
    const ids = Int32Array.from({ length: 20 }, (_, i) => i + 1);
    const classes = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : i < 15 ? 1 : -1));
    const folds = stratifiedFolds(ids, classes, 5, 7);
    expect(stratifiedFolds(ids, classes, 5, 7)).toEqual(folds);
    for (let f = 0; f < 5; f++) {
      expect([...folds.keys()].filter((r) => classes[r] === 0 && folds[r] === f)).toHaveLength(2);
      expect([...folds.keys()].filter((r) => classes[r] === 1 && folds[r] === f)).toHaveLength(1);
    }
    expect([...folds.slice(15)]).toEqual([-1, -1, -1, -1, -1]);
  });
});
