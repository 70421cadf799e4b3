/**
 * From a run's embeddings to a stored ranking of likely mislabels (runs in the scoring
 * process): current labels as classes, out-of-sample probabilities, confident learning,
 * then one transaction that replaces the run's scores.
 */
import type { ReviewScoreRow } from '../db/repos/review.js';
import type { Project } from '../project.js';
import { confidentLearning, type Ranking, type SuspectFilter } from './confidentLearning.js';
import { loadEmbeddings } from './embeddingStore.js';
import { runModelDir, trainedLevel } from '../predict/modelFolder.js';
import { categoryAtLevel } from '../train/levels.js';
import { discriminantProbabilities } from './discriminant.js';
import { kfoldProbabilities, knnProbabilities } from './outOfSample.js';

export type FoldHead = 'discriminant' | 'logistic';

export interface ScoreOptions {
  method?: 'kfold' | 'knn';
  /** the K-fold heads: closed-form discriminants (default: minutes at 1M items) or logistic regression by Adam */
  head?: FoldHead;
  folds?: number;
  ranking?: Ranking;
  filter?: SuspectFilter;
  seed?: number;
}

export interface ScoreSummary {
  items: number;
  suspected: number;
  method: string;
  ranking: Ranking;
  /** categories left out of the ranking: fewer items than folds */
  tooSmall: number;
  seconds: number;
  /** the scoring process's peak resident memory (set by scoreProcess.ts) */
  peakRssMiB?: number;
}

export async function scoreRun(project: Project, run: string, options: ScoreOptions, onProgress?: (done: number, total: number, phase: string) => void): Promise<ScoreSummary> {
  const started = performance.now();
  const method = options.method ?? 'kfold';
  const folds = options.folds ?? 5;
  const ranking = options.ranking ?? 'self-confidence';
  const filter = options.filter ?? 'lowest-score';
  const emb = loadEmbeddings(project, run);
  if (emb.ids.length === 0) throw new Error(`run ${run} has no embeddings yet: they are computed first by the review job`);
  // categories with fewer items than folds cannot be held out fairly: ranked by nobody
  // a run trained at a level of the tree reviews in its categories: every label rolled up to that level
  const given = Int32Array.from(emb.labels, categoryAtLevel(project.categories.all(), trainedLevel(runModelDir(project, run))));
  const sizes = new Map<number, number>();
  given.forEach((c) => sizes.set(c, (sizes.get(c) ?? 0) + 1));
  const minimum = method === 'kfold' ? folds : 2;
  const classIds = [...sizes.entries()].filter(([, n]) => n >= minimum).map(([c]) => c).sort((a, b) => a - b);
  if (classIds.length < 2) throw new Error(`the review needs at least 2 categories with ${minimum} or more active items`);
  const classIndex = new Map(classIds.map((c, i) => [c, i]));
  const classOf = Int32Array.from(given, (c) => classIndex.get(c) ?? -1);
  const input = { emb, classOf, classes: classIds.length };
  const head = options.head ?? 'discriminant';
  const kfold = head === 'logistic' ? kfoldProbabilities : discriminantProbabilities;
  const scores = method === 'kfold' ? await kfold(input, folds, options.seed ?? 42, onProgress) : await knnProbabilities(input, 10, onProgress);
  const kept = project.review.keptItems();
  const rowsIn = [...classOf.keys()].filter((r) => classOf[r]! >= 0);
  const restricted = {
    ...scores,
    label: Int32Array.from(rowsIn, (r) => classOf[r]!),
    labelProb: Float32Array.from(rowsIn, (r) => scores.labelProb[r]!),
    topClass: Int32Array.from(rowsIn.flatMap((r) => Array.from(scores.topClass.subarray(r * scores.k, (r + 1) * scores.k)))),
    topProb: Float32Array.from(rowsIn.flatMap((r) => Array.from(scores.topProb.subarray(r * scores.k, (r + 1) * scores.k)))),
  };
  const cl = confidentLearning(restricted, { ranking, filter, excluded: (i) => kept.has(emb.ids[rowsIn[i]!]!) });
  const rows: ReviewScoreRow[] = rowsIn.map((r, i) => {
    const v = cl.verdicts[i]!;
    return {
      item_id: emb.ids[r]!, label_id: emb.labels[r]!, label_prob: restricted.labelProb[i]!,
      suggested: v.suggested >= 0 ? classIds[v.suggested]! : emb.labels[r]!, suggested_prob: v.suggestedProb, score: v.score, suspected: v.suspected ? 1 : 0,
    };
  });
  const details = {
    folds, head: method === 'kfold' ? head : null, ranking, filter, seed: options.seed ?? 42,
    categories: classIds.map((c, i) => ({ id: c, items: cl.counts[i]!, threshold: cl.thresholds[i]!, estimatedErrors: cl.estimatedErrors[i]! })),
    pairs: cl.pairs.slice(0, 500).map((p) => ({ given: classIds[p.given]!, likely: classIds[p.likely]!, estimated: p.estimated })),
  };
  project.review.replaceScores(run, rows, { method, details });
  return { items: rows.length, suspected: rows.filter((r) => r.suspected).length, method, ranking, tooSmall: sizes.size - classIds.length, seconds: (performance.now() - started) / 1000 };
}
