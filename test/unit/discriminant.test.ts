/**
 * The K-fold discriminant heads: the Cholesky solve against a known system, and on clustered
 * embeddings with a few labels flipped, the flipped items get the lowest out-of-sample
 * probability of their label while each item's own fold never sees it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, discriminantProbabilities } from '../../src-main/engine/review/discriminant.js';
import { initBackend } from '../../src-main/engine/train/tf.js';
import { rng } from '../../src-main/shared/random.js';

describe('K-fold discriminant heads', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('solves S X = B through the Cholesky factor', () => {
    const s = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const x = Float64Array.from([1, -2, 0.5, 3, -1, 2]); // 3 x 2
    const b = new Float64Array(6);
    for (let i = 0; i < 3; i++) for (let c = 0; c < 2; c++) for (let k = 0; k < 3; k++) b[i * 2 + c]! += s[i * 3 + k]! * x[k * 2 + c]!;
    const solved = choleskySolve(cholesky(s, 3), 3, b, 2);
    solved.forEach((v, i) => expect(v).toBeCloseTo(x[i]!, 10));
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('ranks flipped labels lowest, with probabilities that sum to at most 1 over the kept top k', async () => {
    const random = rng(3);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const classes = 4;
    const dim = 8;
    const perClass = 50;
    const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => 3 * gauss()));
    const n = classes * perClass;
    const vectors = new Float32Array(n * dim);
    const classOf = new Int32Array(n);
    const flipped = new Set([3, 60, 111, 170]);
    for (let r = 0; r < n; r++) {
      const c = Math.floor(r / perClass);
      classOf[r] = flipped.has(r) ? (c + 1) % classes : c;
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += (vectors[r * dim + j] = centres[c]![j]! + gauss()) ** 2;
      for (let j = 0; j < dim; j++) vectors[r * dim + j]! /= Math.sqrt(norm);
    }
    const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
    const out = await discriminantProbabilities({ emb: { ids, labels: classOf, dim, vectors }, classOf, classes }, 5, 7);
    const lowest = [...out.labelProb.keys()].sort((a, b) => out.labelProb[a]! - out.labelProb[b]!).slice(0, flipped.size);
    expect(new Set(lowest)).toEqual(flipped);
    for (let r = 0; r < n; r++) {
      const top = out.topProb.subarray(r * out.k, (r + 1) * out.k);
      expect(top.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-5);
      if (!flipped.has(r)) expect(out.topClass[r * out.k]).toBe(classOf[r]);
    }
  });
});
