/**
 * A run's embeddings as one matrix: every active item's vector (dequantised and L2
 * normalised, so a dot product is the cosine similarity), its item id and current label.
 * Stored in SQLite as int8 + one scale per item (migration 6): 260 bytes an item at 256
 * values, 248 MiB per million items on disk; loading them takes 4 bytes a value (1 GiB per
 * million items at 256 values).
 */
import type { Project } from '../project.js';

export interface Embeddings {
  /** item ids, in the order of the rows */
  ids: Int32Array;
  /** each item's current category */
  labels: Int32Array;
  dim: number;
  /** n x dim, each row L2-normalised */
  vectors: Float32Array;
}

export function loadEmbeddings(project: Project, run: string): Embeddings {
  const n = project.review.embeddingCount(run);
  const ids = new Int32Array(n);
  const labels = new Int32Array(n);
  let vectors = new Float32Array(0);
  let dim = 0;
  let row = 0;
  for (const e of project.review.activeEmbeddings(run)) {
    if (dim === 0) {
      dim = e.vector.length;
      vectors = new Float32Array(n * dim);
    }
    ids[row] = e.item_id;
    labels[row] = e.category_id;
    const base = row * dim;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = e.vector.readInt8(j) * e.scale;
      vectors[base + j] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) vectors[base + j]! *= inv;
    row++;
  }
  return { ids: ids.subarray(0, row), labels: labels.subarray(0, row), dim, vectors: vectors.subarray(0, row * dim) };
}
