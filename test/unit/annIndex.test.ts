import { describe, expect, it } from 'vitest';
import { AnnIndex, exactNeighbours } from '../../src-main/engine/review/annIndex.js';

function unitVectors(n: number, dim: number, seed: number): Float32Array {
  let s = seed;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const v = new Float32Array(n * dim).map(rnd);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += v[i * dim + j]! ** 2;
    for (let j = 0; j < dim; j++) v[i * dim + j]! /= Math.sqrt(norm);
  }
  return v;
}

describe('AnnIndex (usearch)', () => {
  it('finds the same neighbours as exact search, with cosine similarities, in batches', async () => {
    const dim = 32;
    const n = 6000;
    const v = unitVectors(n, dim, 7);
    // row 5999 is a near copy of row 10
    for (let j = 0; j < dim; j++) v[5999 * dim + j] = v[10 * dim + j]! * 0.999 + (j === 0 ? 0.01 : 0);
    const index = new AnnIndex(dim, { threads: 2 });
    let reported = 0;
    await index.addAll(v, (done) => (reported = done));
    expect(index.size).toBe(n);
    expect(reported).toBe(n);

    const queries = v.subarray(0, 200 * dim);
    const got = index.search(queries, 10);
    const truth = exactNeighbours(v, queries, dim, 10);
    let hits = 0;
    for (let q = 0; q < 200; q++) {
      const t = new Set(truth.keys.subarray(q * 10, q * 10 + 10));
      for (const k of got.keys.subarray(q * 10, q * 10 + 10)) if (t.has(k)) hits++;
    }
    expect(hits / 2000).toBeGreaterThanOrEqual(0.95);
    // an item finds itself first (similarity 1), and row 10 finds its near copy next
    expect(got.keys[10 * 10]).toBe(10);
    expect(got.similarities[10 * 10]).toBeCloseTo(1, 5);
    expect(got.keys[10 * 10 + 1]).toBe(5999);
    expect(got.similarities[10 * 10 + 1]).toBeGreaterThan(0.99);
    // one query alone
    expect(index.search(v.subarray(10 * dim, 11 * dim), 2).keys).toEqual(Int32Array.of(10, 5999));
  });

  it('says what is wrong with a matrix of the wrong size', () => {
    const index = new AnnIndex(4);
    expect(() => index.search(new Float32Array(6), 1)).toThrow(/6 numbers is not a whole number of 4-dimensional rows/);
    expect(index.search(new Float32Array(4), 3).keys).toEqual(Int32Array.of(-1, -1, -1));
  });
});
