/**
 * Classification and evaluation results: shared by the predictor, the CLI and the studio.
 * Probabilities are softmax over all of a run's categories (they sum to 1 over all of them,
 * not only over the top k shown).
 */

export interface RunBrief {
  run: string;
  model: string;
  createdAt: string;
  /** validation top-1 at the end of training, 0..1 */
  top1: number | null;
  /** how many categories the model knows */
  classes: number;
}

export interface CategoryScore {
  category: string;
  /** the category's id in this project, or null when the model knows a category the project no longer has */
  categoryId: number | null;
  probability: number;
}

export interface ClassifyResult {
  /** the path as given or found (or the uploaded file's name) */
  file: string;
  top?: CategoryScore[];
  /** one line: what and why, when the file cannot be classified */
  error?: string;
  /** milliseconds for this file, decoding included */
  ms: number;
  /** when the file is an item of the open dataset: its id and current label */
  item?: { id: number; label: string; status: string } | null;
}

export interface ClassifyAnswer {
  run: RunBrief;
  results: ClassifyResult[];
  /** wall time of the whole call, ms */
  ms: number;
}

export interface CategoryMetric {
  categoryId: number | null;
  name: string;
  /** share of the items predicted as this category that are labelled with it */
  precision: number | null;
  /** share of the items labelled with this category that are predicted as it */
  recall: number | null;
  f1: number | null;
  /** items labelled with this category */
  support: number;
  /** items predicted as this category */
  predicted: number;
}

export interface ConfusedPair {
  labelled: { id: number | null; name: string };
  predicted: { id: number | null; name: string };
  count: number;
  /** count / items labelled with `labelled` */
  share: number;
}

export interface EvaluationReport {
  run: RunBrief;
  /** items the filter selects */
  items: number;
  /** of those, items with a stored prediction from this run */
  predicted: number;
  /** predictions made before the item was relabeled (the label they were scored against changed) */
  stale: number;
  top1: number | null;
  top5: number | null;
  /** the tree level the figures are rolled up to (1 = top level), or null for the leaves */
  level: number | null;
  categories: CategoryMetric[];
  /** most confused (labelled, predicted) pairs, largest count first */
  pairs: ConfusedPair[];
  /** when the predictions were last brought up to date for this filter */
  evaluatedAt: string | null;
}

export interface ConfusionMatrix {
  categories: { id: number | null; name: string }[];
  /** counts[labelled][predicted] */
  counts: number[][];
}

/** One item the review ranks as likely mislabelled, with the model's suggestion. */
export interface ReviewItem {
  id: number;
  path: string;
  /** for media URLs, as GridItem */
  size: number;
  mtimeMs: number;
  /** current label */
  categoryId: number;
  label: string;
  /** the out-of-sample suggestion (the most probable other category) */
  suggested: { id: number | null; name: string; probability: number };
  /** out-of-sample probability of the current label */
  labelProbability: number;
  /** higher = more likely wrong (1 - self-confidence, or the margin, see docs/review.md) */
  score: number;
  /** in the confident-learning error set (the others are ranked, not suspected) */
  suspected: boolean;
}

export interface ReviewQueue {
  run: string;
  items: ReviewItem[];
  /** items matching the filter still to review (suspected, not kept, label unchanged since scoring) */
  total: number;
  /** suspected items of the filter that a person has decided (accepted, kept, excluded or relabeled) */
  reviewed: number;
  suspected: number;
  scoredAt: string | null;
}

export interface ReviewCategorySummary {
  categoryId: number;
  name: string;
  items: number;
  /** the confident joint's estimate of wrong labels in this category, and its share */
  estimatedErrors: number;
  estimatedShare: number;
}
