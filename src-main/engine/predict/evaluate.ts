/**
 * Bringing a run's stored predictions up to date for a set of items: only items with no
 * prediction from the run, or whose file changed since, are sent to the predictor, in
 * chunks with progress and cancel. The figures are then computed from the stored rows
 * (report.ts), so they follow relabels without running the model again.
 */
import { itemFile } from '../dataset/sources.js';
import type { PredictionRow } from '../db/repos/predictions.js';
import { encodeTopK } from '../db/repos/predictions.js';
import { quantize, type EmbeddingRow } from '../db/repos/review.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import type { Progress } from '../../shared/types.js';
import { LabelMap } from './labelMap.js';
import type { Predictor } from './predictor.js';

/** Top categories kept per item: enough for top-5 and for the review's suggestions. */
export const STORED_TOP_K = 5;
const CHUNK = 256;

export interface EvaluateOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** a stable key of the filter, to remember when it was last evaluated */
  filterKey?: string;
  /** also store each item's embedding (the review's input); items then count as done when their embedding is */
  embed?: boolean;
  /** the tree level the run was trained at: an item's label is rolled up to it */
  level?: number | null;
}

export interface EvaluateResult {
  items: number;
  /** items sent to the model (the others had an up-to-date prediction) */
  predicted: number;
  /** items the model could not read (left without a prediction) */
  failed: { path: string; error: string }[];
  cancelled: boolean;
  seconds: number;
}

export async function evaluateItems(project: Project, run: string, labels: readonly string[], predictor: Predictor, itemIds: readonly number[], options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const map = new LabelMap(project, labels, options.level ?? null);
  const todo = options.embed ? project.review.embeddingsNeeding(run, itemIds) : project.predictions.needing(run, itemIds);
  const meter = new ProgressMeter(options.embed ? 'embedding' : 'classifying', todo.length);
  const failed: EvaluateResult['failed'] = [];
  const root = project.datasetRoot;
  const k = Math.min(STORED_TOP_K, labels.length);
  let done = 0;
  options.onProgress?.(meter.update(0));
  const runChunk = async (ids: number[]): Promise<void> => {
    const items = ids.map((id) => project.items.get(id)!).filter((i) => i !== undefined);
    const want = items.map((i) => map.indexOf(i.category_id));
    const answers = await predictor.predict(items.map((i) => ({ file: itemFile(root, i.path), format: i.format })), k, want, undefined, options.embed);
    const rows: PredictionRow[] = [];
    const embeddings: EmbeddingRow[] = [];
    answers.forEach((a, n) => {
      const item = items[n]!;
      if ('error' in a) return void failed.push({ path: item.path, error: a.error });
      const top = a.top.map(([index, p]): [number, number] => [map.stored(index), p]);
      // a backbone answers with its embedding only: no prediction to store
      if (top.length > 0) rows.push({ item_id: item.id, label_id: item.category_id, top1: top[0]![0], top1_prob: top[0]![1], label_prob: a.want, top_k: encodeTopK(top), size: item.size, mtime_ms: item.mtime_ms });
      if (a.embedding) embeddings.push({ item_id: item.id, size: item.size, mtime_ms: item.mtime_ms, ...quantize(a.embedding) });
    });
    project.predictions.save(run, rows);
    if (embeddings.length) project.review.saveEmbeddings(run, embeddings);
    done += ids.length;
    options.onProgress?.(meter.update(done));
  };
  // two chunks in flight keep every worker busy while the other chunk's rows are written
  const chunks: number[][] = [];
  for (let i = 0; i < todo.length; i += CHUNK) chunks.push(todo.slice(i, i + CHUNK));
  let cancelled = false;
  const inFlight: Promise<void>[] = [];
  for (const chunk of chunks) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    inFlight.push(runChunk(chunk));
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  if (!cancelled && options.filterKey !== undefined) project.predictions.evaluated(run, options.filterKey, itemIds.length);
  return { items: itemIds.length, predicted: done, failed, cancelled, seconds: meter.elapsedSeconds() };
}
