/** The embeddings of a run for the duplicate search, checked first so a missing step is named. */
import type { Project } from '../project.js';
import type { Embeddings } from './duplicates.js';
import { loadEmbeddings } from './embeddingStore.js';

/** A run's embeddings (computed by the review job), or an error saying how to get them. */
export function embeddingsOfRun(project: Project, run: string): Embeddings {
  if (!project.runs.get(run)) throw new Error(`there is no run "${run}" in this project (shiwake runs lists them)`);
  if (project.review.embeddingCount(run) === 0) throw new Error(`run ${run} has no embeddings yet: "shiwake review --project ${project.dir} --run ${run}" computes them`);
  return loadEmbeddings(project, run);
}
