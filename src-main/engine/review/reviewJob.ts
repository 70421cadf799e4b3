/**
 * The whole review of a run (or of a pretrained backbone's embeddings), from the engine:
 * embeddings of every active item (incremental, through the predictor's worker pool), then the
 * scoring process; progress and cancel throughout. Also the queue as the studio and the CLI read it.
 */
import path from 'node:path';
import { forkEntry } from '../train/childEntry.js';
import type { ReviewCategorySummary, ReviewItem, ReviewQueue } from '../../shared/predict.js';
import type { Progress } from '../../shared/types.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { backboneSource, isBackboneRun, storedBackbone, type BackboneSource } from '../predict/backbone.js';
import type { EvaluateResult } from '../predict/evaluate.js';
import { resolveRun } from '../predict/modelFolder.js';
import type { PredictionService } from '../predict/service.js';
import type { ScoreOptions, ScoreSummary } from './scoring.js';

export interface ReviewOptions extends ScoreOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** embed with a pretrained backbone (a folder with model.json, or an http(s) URL of one) instead of a run */
  backbone?: string;
  /** the backbone's input side when its model has no fixed one */
  imageSize?: number;
}

/** Where the embeddings come from: a trained run, or a backbone (given, or the pseudo-run named as the run). */
export interface EmbeddingSource {
  run: string;
  backbone?: BackboneSource;
  imageSize?: number;
}

/** The source of a review or duplicate search; quick (nothing loads), so a bad choice fails before any job starts. */
export function embeddingSource(project: Project, run: string | undefined, options: { backbone?: string; imageSize?: number } = {}): EmbeddingSource {
  if (run !== undefined && options.backbone !== undefined) throw new Error('choose either a run or a backbone, not both');
  if (options.backbone !== undefined) {
    const backbone = backboneSource(options.backbone);
    return { run: backbone.run, backbone, imageSize: options.imageSize };
  }
  const row = run === undefined ? undefined : project.runs.get(run);
  if (row && isBackboneRun(row)) {
    const stored = storedBackbone(row);
    return { run: row.id, backbone: stored, imageSize: options.imageSize ?? stored.imageSize };
  }
  return { run: resolveRun(project, run).id };
}

/** Brings the source's embeddings of `ids` up to date (only new or changed items go through the model). */
export function embedItems(project: Project, service: PredictionService, source: EmbeddingSource, ids: readonly number[], options: Pick<ReviewOptions, 'signal' | 'onProgress'>): Promise<EvaluateResult> {
  const opts = { signal: options.signal, onProgress: options.onProgress };
  return source.backbone ? service.embedBackbone(project, source.backbone, source.imageSize, ids, opts) : service.evaluate(project, source.run, ids, { ...opts, embed: true });
}

export async function runReview(project: Project, service: PredictionService, run: string | undefined, options: ReviewOptions = {}): Promise<(ScoreSummary & { run: string; embedded: number }) | { cancelled: true; run: string }> {
  const started = performance.now();
  const source = embeddingSource(project, run, options);
  const runId = source.run;
  const embedded = await embedItems(project, service, source, project.review.activeItemIds(), options);
  if (embedded.cancelled) return { cancelled: true, run: runId };
  const summary = await scoreInChild(project, runId, options);
  if (summary === null) return { cancelled: true, run: runId };
  // the whole job: embeddings (the long part the first time) and scoring
  return { ...summary, seconds: (performance.now() - started) / 1000, run: runId, embedded: embedded.predicted };
}

/** Runs `scoreRun` in the scoring process (TensorFlow.js stays out of this one); null when cancelled. */
export function scoreInChild(project: Project, run: string, options: ReviewOptions): Promise<ScoreSummary | null> {
  const child = forkEntry(path.join(import.meta.dirname, 'scoreProcess.ts'));
  const meter = new ProgressMeter('scoring', null);
  return new Promise((resolve, reject) => {
    const abort = (): void => void child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    let settled = false;
    child.on('message', (m: { type: string; done?: number; total?: number; phase?: string; summary?: ScoreSummary; message?: string }) => {
      if (m.type === 'progress') {
        meter.setPhase(m.phase!, m.total!);
        options.onProgress?.(meter.update(m.done!));
      } else if (m.type === 'done' || m.type === 'error') {
        settled = true;
        options.signal?.removeEventListener('abort', abort);
        if (m.type === 'done') resolve(m.summary!);
        else reject(new Error(m.message));
      }
    });
    child.on('exit', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      if (settled) return;
      if (options.signal?.aborted) resolve(null);
      else reject(new Error(`the review's scoring process ended unexpectedly (${signal ?? `exit code ${code}`}; out of memory?)`));
    });
    child.send({ type: 'score', projectDir: project.dir, run, options: { method: options.method, head: options.head, folds: options.folds, ranking: options.ranking, filter: options.filter, seed: options.seed } });
  });
}

/** The queue of suspected items, most likely wrong first, for the studio and the CLI. */
export function reviewQueue(project: Project, run: string, filter: { labelled: number[] | null; suggested: number[] | null }, offset: number, limit: number): ReviewQueue {
  const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
  const items = project.review.queue(run, filter.labelled, filter.suggested, offset, limit).map(
    (r): ReviewItem => ({
      id: r.item_id, path: r.path, size: r.size, mtimeMs: r.mtime_ms, categoryId: r.category_id, label: names.get(r.category_id) ?? `#${r.category_id}`,
      suggested: { id: names.has(r.suggested) ? r.suggested : null, name: names.get(r.suggested) ?? `#${r.suggested}`, probability: r.suggested_prob },
      labelProbability: r.label_prob, score: r.score, suspected: r.suspected === 1,
    }),
  );
  const total = project.review.queueCount(run, filter.labelled, filter.suggested);
  const suspected = project.review.suspectedCount(run, filter.labelled, filter.suggested);
  return { run, items, total, suspected, reviewed: suspected - total, scoredAt: project.review.meta(run)?.at ?? null };
}

export function reviewSummary(project: Project, run: string): ReviewCategorySummary[] {
  const meta = project.review.meta(run);
  if (!meta) return [];
  const names = new Map(project.categories.all().map((c) => [c.id, c.name]));
  const details = JSON.parse(meta.details) as { categories: { id: number; items: number; estimatedErrors: number }[] };
  return details.categories
    .map((c) => ({ categoryId: c.id, name: names.get(c.id) ?? `#${c.id}`, items: c.items, estimatedErrors: c.estimatedErrors, estimatedShare: c.items > 0 ? c.estimatedErrors / c.items : 0 }))
    .sort((a, b) => b.estimatedShare - a.estimatedShare);
}

/** "Keep the label" of items: one undoable batch; they leave the queue until their label changes. */
export function keepLabels(project: Project, ids: readonly number[]): { batch: number; description: string; changed: number } {
  return project.db.transaction(() => {
    const items = ids.map((id) => {
      const item = project.items.get(id);
      if (!item) throw new Error(`no item with id ${id} in this project`);
      return { id, category_id: item.category_id };
    });
    const description = `keep the label of ${items.length === 1 ? '1 item' : `${items.length.toLocaleString('en-US')} items`}`;
    const batch = project.labels.createBatch('review', description, true);
    project.review.keep(batch, items);
    return { batch, description, changed: items.length };
  })();
}
