/** The embeddings of a run for the duplicate search, checked first so a missing step is named. */
import type { Project } from '../project.js';
import type { Embeddings } from './duplicates.js';
import { loadEmbeddings } from './embeddingStore.js';

/** An error saying how to get them unless the run exists and has embeddings (cheap: no vector is read). */
export function checkRunEmbeddings(project: Project, run: string): void {
  if (!project.runs.get(run)) throw new Error(`there is no run "${run}" in this project (shiwake runs lists them)`);
  if (project.review.embeddingCount(run) === 0) throw new Error(`run ${run} has no embeddings yet: "shiwake review --project ${project.dir} --run ${run}" computes them`);
}

/** A run's embeddings (computed by the review job), or an error saying how to get them. */
export function embeddingsOfRun(project: Project, run: string): Embeddings {
  checkRunEmbeddings(project, run);
  return loadEmbeddings(project, run);
}
