/** The most similar items (cosine of the embeddings) to one item within a category. */
import type { Project } from '../project.js';

function unit(scale: number, vector: Buffer): Float32Array {
  const v = new Float32Array(vector.length);
  let norm = 0;
  for (let j = 0; j < v.length; j++) {
    v[j] = vector.readInt8(j) * scale;
    norm += v[j]! * v[j]!;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < v.length; j++) v[j]! *= inv;
  return v;
}

export function nearestInCategory(project: Project, run: string, itemId: number, categoryId: number, k: number): number[] {
  const own = project.review.embeddingOf(run, itemId);
  if (!own) return [];
  const q = unit(own.scale, own.vector);
  const scored = project.review
    .embeddingsOfCategory(run, categoryId)
    .filter((e) => e.item_id !== itemId)
    .map((e) => {
      const v = unit(e.scale, e.vector);
      let dot = 0;
      for (let j = 0; j < v.length; j++) dot += v[j]! * q[j]!;
      return { id: e.item_id, similarity: dot };
    });
  return scored.sort((a, b) => b.similarity - a.similarity).slice(0, k).map((s) => s.id);
}
