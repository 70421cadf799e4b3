/**
 * The one API between the studio's renderer and the engine: every method (one argument
 * object in, one result out) and every event. Both transports (Electron IPC and browser-mode
 * HTTP + WebSocket) are driven from this table, and arguments are validated here, at the
 * boundary. No Node built-ins: the renderer imports this file too.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { ImportProblems } from './problems.js';
import type { CommandId } from './commands.js';
import { SCHEDULE_NAMES, type ScheduleName, type TrainEvent } from './training.js';
import type { BackboneInfo } from './transfer.js';
import type { ClassifyAnswer, ConfusionMatrix, EvaluationReport, ReviewCategorySummary, ReviewQueue } from './predict.js';
import type { ItemHistory, ItemStatus, Progress, ProjectStats } from './types.js';
import type { DuplicatePage } from './duplicates.js';

const id = z.number().int().positive();
/** the largest file the studio accepts for classification over browser mode */
export const MAX_UPLOAD_MB = 32;
const MAX_UPLOAD_BASE64 = Math.ceil((MAX_UPLOAD_MB * 1024 * 1024 * 4) / 3) + 4;
const status = z.enum(['active', 'excluded', 'missing', 'broken']);
const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);
/** embeddings from a pretrained backbone instead of a run: a folder with model.json or an http(s) URL of one; its input side when not fixed */
const backboneArgs = { backbone: nonEmpty('the backbone (a folder or URL)').optional(), imageSize: z.number().int().min(8).max(2048).optional() };

/** Items as a run's stored predictions see them (with `categoryId` as the label: "labelled A, predicted B"). */
export const predictionFilter = z
  .object({
    run: nonEmpty('the run'),
    /** the model's top-1 is this category or one below it */
    predicted: id.optional(),
    /** only items whose top-1 prediction differs from their current label */
    misclassified: z.boolean().optional(),
  })
  .strict();

export const itemFilter = z
  .object({
    categoryId: id.optional(),
    /** with categoryId: include the items of every sub-category (default true) */
    descendants: z.boolean().optional(),
    status: z.union([status, z.literal('any')]).optional(),
    split: z.enum(['train', 'validation', 'none', 'any']).optional(),
    /** file name or path contains this text (case-insensitive) */
    search: z.string().max(500).optional(),
    /** only items with a stored prediction of this run matching this */
    prediction: predictionFilter.optional(),
    /** order of the grid; 'disagreement' (needs `prediction`) puts the items the model most confidently disputes first */
    sort: z.enum(['import', 'name', 'size', 'date', 'disagreement']).optional(),
  })
  .strict();
export type ItemFilter = z.infer<typeof itemFilter>;

/** What an action applies to: explicit ids, or everything a filter shows (select all at 1M). */
export const selection = z.union([
  z.object({ ids: z.array(id).min(1, 'select at least one item').max(2_000_000) }).strict(),
  z.object({ filter: itemFilter }).strict(),
]);
export type Selection = z.infer<typeof selection>;

const seed = z.number().int().min(0).max(LIMITS.seed);
const balanceOptions = z
  .object({
    maxPerCategory: z.number().int().min(0).max(LIMITS.perCategory).optional(),
    minPerCategory: z.number().int().min(0).max(LIMITS.perCategory).optional(),
    oversample: z.boolean().optional(),
    seed: seed.optional(),
  })
  .strict();

export const methods = {
  'app.info': z.object({}).strict(),
  'project.open': z.object({ dir: nonEmpty('the project folder') }).strict(),
  'project.openDataset': z.object({ datasetRoot: nonEmpty('the dataset folder'), projectDir: z.string().optional() }).strict(),
  /** where a dataset's project goes unless the user chooses (~/.shiwake/projects/<name>-<hash>) */
  'project.defaultDir': z.object({ datasetRoot: nonEmpty('the dataset folder') }).strict(),
  'project.openSample': z.object({}).strict(),
  'project.recent': z.object({}).strict(),
  'project.close': z.object({}).strict(),
  'project.stats': z.object({}).strict(),
  'categories.tree': z.object({}).strict(),
  'items.page': z.object({ filter: itemFilter, offset: z.number().int().min(0), limit: z.number().int().min(1).max(5000) }).strict(),
  'items.count': z.object({ filter: itemFilter }).strict(),
  'items.detail': z.object({ id }).strict(),
  'labels.move': z.object({ selection, category: nonEmpty('the category name').max(1000) }).strict(),
  'labels.exclude': z.object({ selection }).strict(),
  'labels.restore': z.object({ selection }).strict(),
  'labels.undo': z.object({}).strict(),
  'labels.redo': z.object({}).strict(),
  /** undo one named batch (a toast's Undo); with withLater, also the later batches that changed the same items */
  'labels.undoBatch': z.object({ batch: id, withLater: z.boolean().optional() }).strict(),
  /** rename a category and its sub-categories (one undoable batch) */
  'categories.rename': z.object({ from: nonEmpty('the category name').max(1000), to: nonEmpty('the new name').max(1000) }).strict(),
  /** delete an empty category (refused, with the counts, while it holds items) */
  'categories.delete': z.object({ name: nonEmpty('the category name').max(1000) }).strict(),
  /** an import's problems: the files it skipped and the broken items, with reasons (the latest import unless `job`), filtered by kind and text */
  'import.problems': z
    .object({ job: id.optional(), kind: z.enum(['any', 'skipped', 'broken']).optional(), search: z.string().max(500).optional(), limit: z.number().int().min(1).max(10_000).optional() })
    .strict(),
  'jobs.cancel': z.object({ id }).strict(),
  'jobs.active': z.object({}).strict(),
  'files.list': z.object({ dir: z.string().optional() }).strict(),
  'dataset.split': z.object({ validation: z.number().gt(0).lt(1).optional(), seed: seed.optional(), reset: z.boolean().optional() }).strict(),
  'balance.preview': balanceOptions,
  'balance.apply': balanceOptions,
  'balance.merge': z.object({ from: z.array(nonEmpty('a category name')).min(1), into: nonEmpty('the category to merge into') }).strict(),
  'export.start': z
    .object({
      format: z.enum(['tfrecord', 'folders', 'csv']),
      out: nonEmpty('the output folder'),
      trainShards: z.number().int().min(1).max(LIMITS.shards).optional(),
      validationShards: z.number().int().min(1).max(LIMITS.shards).optional(),
      maxSide: z.number().int().min(1).max(LIMITS.maxSide).optional(),
      seed: seed.optional(),
    })
    .strict(),
  'train.backend': z.object({}).strict(),
  'train.start': z
    .object({
      model: z.enum(['small-cnn', 'mobilenet-v2', 'inception-v3']),
      imageSize: z.number().int().min(8).max(1024).optional(),
      epochs: z.number().int().min(1).max(10000).optional(),
      /** 'auto': the largest batch that fits on a GPU backend, the fastest on the CPU (probed once, cached) */
      batchSize: z.union([z.number().int().min(1).max(4096), z.literal('auto')]).optional(),
      optimizer: z.enum(['rmsprop', 'adam', 'sgd']).optional(),
      learningRate: z.number().positive().optional(),
      schedule: z.enum(SCHEDULE_NAMES as [ScheduleName, ...ScheduleName[]]).optional(),
      labelSmoothing: z.number().min(0).lt(1).optional(),
      backbone: z.string().optional(),
      /** with a backbone: unfreeze its last N layers (0 or absent: frozen) */
      fineTuneLayers: z.number().int().min(0).max(10000).optional(),
      /** with a frozen backbone: train the head on its features, computed once */
      cacheFeatures: z.boolean().optional(),
      /** average each image's probabilities with its mirror image's at evaluation (absent: defaultFlipAverage) */
      flipAverage: z.boolean().optional(),
      /** gradient worker threads on the CPU backends (absent: one per core there, 1 on a GPU) */
      workers: z.number().int().min(1).max(256).optional(),
      level: z.number().int().min(1).max(100).optional(),
      accumulate: z.number().int().min(1).max(1024).optional(),
      /** the batch one step should see at least: the run accumulates ceil(effectiveBatch / batch) batches (instead of `accumulate`) */
      effectiveBatch: z.number().int().min(1).max(1_048_576).optional(),
      name: z.string().max(200).optional(),
    })
    .strict(),
  /** a backbone's input size, parameter count and feature width (loaded in a child process) */
  'train.inspectBackbone': z.object({ location: nonEmpty('the backbone (a folder or URL)') }).strict(),
  'train.stop': z.object({ run: nonEmpty('the run') }).strict(),
  'train.resume': z.object({ run: nonEmpty('the run') }).strict(),
  /** training runs, latest first; `backbones` adds the pseudo-runs (model 'backbone') that hold a pretrained backbone's review embeddings */
  'runs.list': z.object({ backbones: z.boolean().optional() }).strict(),
  'runs.metrics': z.object({ run: nonEmpty('the run') }).strict(),
  /** rename or annotate a run: an empty string clears the field, an absent one keeps it */
  'runs.annotate': z.object({ run: nonEmpty('the run'), name: z.string().max(200).optional(), note: z.string().max(10000).optional() }).strict(),
  /** the native folder dialog (Electron); null in browser mode, where the UI shows its own picker */
  'dialog.pickFolder': z.object({}).strict(),
  /** the native file dialog for images to classify (Electron); null in browser mode, where the UI uploads */
  'dialog.pickFiles': z.object({}).strict(),
  /** classify files: paths on the engine's machine, or uploaded bytes (base64; browser mode) */
  'classify.files': z
    .object({
      run: z.string().optional(),
      files: z.array(nonEmpty('a file path')).max(10_000).optional(),
      uploads: z.array(z.object({ name: z.string().max(1000), data: z.string().max(MAX_UPLOAD_BASE64, `an uploaded file is larger than ${MAX_UPLOAD_MB} MB`) }).strict()).max(100).optional(),
      top: z.number().int().min(1).max(50).optional(),
    })
    .strict(),
  /** classify items of the dataset (Browse: "Classify selected") */
  'classify.items': z.object({ run: z.string().optional(), selection, top: z.number().int().min(1).max(50).optional() }).strict(),
  /** brings a run's stored predictions up to date for a filter (a job); figures come from evaluate.report */
  'evaluate.start': z.object({ run: z.string().optional(), filter: itemFilter.optional() }).strict(),
  'evaluate.report': z.object({ run: nonEmpty('the run'), filter: itemFilter.optional(), level: z.number().int().min(1).max(64).optional(), pairs: z.number().int().min(1).max(10_000).optional() }).strict(),
  'evaluate.matrix': z
    .object({
      run: nonEmpty('the run'),
      filter: itemFilter.optional(),
      /** a subtree: its leaf categories (or its children at `level`) */
      categoryId: id.optional(),
      categories: z.array(id).min(1).max(40, 'choose at most 40 categories for a matrix').optional(),
      level: z.number().int().min(1).max(64).optional(),
    })
    .strict(),
  'model.export': z.object({ run: z.string().optional(), out: nonEmpty('the output folder') }).strict(),
  /** embeddings (incremental) then out-of-sample scores and the confident-learning ranking, as a job */
  'review.start': z.object({ run: z.string().optional(), ...backboneArgs, folds: z.number().int().min(2).max(20).optional(), method: z.enum(['kfold', 'knn']).optional() }).strict(),
  /** the ranked queue: optionally only items labelled in a category (and below) and/or suggested as one */
  'review.queue': z
    .object({
      run: nonEmpty('the run'),
      labelled: id.optional(),
      suggested: id.optional(),
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(1000),
    })
    .strict(),
  /** keep the labels of these items: they leave the queue until their label changes (one undoable batch) */
  'review.keep': z.object({ ids: z.array(id).min(1).max(100_000) }).strict(),
  /** nearest neighbours of an item among items labelled with its label, and with the suggested category */
  'review.neighbours': z.object({ run: nonEmpty('the run'), id, category: id.optional(), k: z.number().int().min(1).max(50).optional() }).strict(),
  'review.summary': z.object({ run: nonEmpty('the run') }).strict(),
  /** duplicate groups, leaks first: exact (same bytes) and, with a run's embeddings, near (cosine >= threshold); `refresh` searches again (new items or embeddings) */
  'duplicates.list': z
    .object({ run: z.string().optional(), ...backboneArgs, threshold: z.number().gt(0).max(1).optional(), leakOnly: z.boolean().optional(), refresh: z.boolean().optional(), offset: z.number().int().min(0), limit: z.number().int().min(1).max(500) })
    .strict(),
  /** keep one item of each group and exclude the others, as one undoable batch */
  'duplicates.keepOne': z.object({ groups: z.array(z.object({ keep: id, members: z.array(id).min(2).max(100_000) }).strict()).min(1).max(100_000) }).strict(),
  /** put each group's items into one split: the split most members have, train on a tie */
  'duplicates.oneSplit': z.object({ groups: z.array(z.array(id).min(2).max(100_000)).min(1).max(100_000) }).strict(),
} as const;

export type MethodName = keyof typeof methods;
export type Args<M extends MethodName> = z.infer<(typeof methods)[M]>;

export interface CategoryNode {
  id: number;
  name: string;
  leaf: string;
  parentId: number | null;
  depth: number;
  /** active items directly in this category */
  count: number;
  /** broken items directly in this category (they cannot be decoded; see import.problems) */
  broken: number;
}

export interface GridItem {
  id: number;
  path: string;
  categoryId: number;
  status: ItemStatus;
  reason: string | null;
  width: number | null;
  height: number | null;
  /** file size and modification time: media URLs carry them, so a changed file is never shown from the browser's cache */
  size: number;
  mtimeMs: number;
  /** with a prediction filter or the disagreement sort: the run's top-1 for this item */
  predicted?: { category: string; probability: number; stale: boolean } | null;
}

export interface ItemDetail extends GridItem {
  format: string | null;
  history: ItemHistory;
}

export interface EditOutcome {
  /** null when nothing changed: no batch is recorded then (and the redo stack is kept) */
  batch: number | null;
  description: string;
  changed: number;
}

export interface UndoBatchOutcome extends EditOutcome {
  /** false when refused because later changes to the same items are still in effect */
  undone: boolean;
  /** those later batches (undone first when withLater) */
  later: { batch: number; description: string }[];
}

export interface JobInfo {
  id: number;
  kind: string;
  title: string;
  progress: Progress;
}

export interface ProjectInfo {
  dir: string;
  datasetRoot: string;
  name: string;
  /** names the project in media URLs (unique per project folder and creation) */
  key: string;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  project: ProjectInfo | null;
  backend: string;
}

export interface FolderListing {
  dir: string;
  parent: string | null;
  entries: { name: string; path: string; isDir: boolean }[];
}

export interface Results {
  'app.info': AppInfo;
  'project.open': ProjectInfo;
  'project.openDataset': { project: ProjectInfo; job: number };
  'project.openSample': { project: ProjectInfo; job: number };
  'project.defaultDir': string;
  'project.recent': ProjectInfo[];
  'project.close': null;
  'project.stats': ProjectStats;
  'categories.tree': CategoryNode[];
  'items.page': GridItem[];
  'items.count': number;
  'items.detail': ItemDetail;
  'labels.move': EditOutcome;
  'labels.exclude': EditOutcome;
  'labels.restore': EditOutcome;
  'labels.undo': EditOutcome | null;
  'labels.redo': EditOutcome | null;
  'labels.undoBatch': UndoBatchOutcome;
  'categories.rename': EditOutcome;
  'categories.delete': { description: string; deleted: number };
  'import.problems': ImportProblems;
  'jobs.cancel': boolean;
  'jobs.active': JobInfo[];
  'files.list': FolderListing;
  'dialog.pickFolder': string | null;
  'dataset.split': { job: number };
  'balance.preview': BalanceView;
  'balance.apply': BalanceView;
  'balance.merge': EditOutcome;
  'export.start': { job: number; out: string };
  'train.backend': { name: string; label: string; faster: string | null };
  'train.start': { run: string };
  'train.inspectBackbone': BackboneInfo;
  'train.stop': boolean;
  'train.resume': { run: string };
  'runs.list': RunSummary[];
  'runs.metrics': RunMetric[];
  'runs.annotate': RunSummary;
  'dialog.pickFiles': string[] | null;
  'classify.files': ClassifyAnswer;
  'classify.items': ClassifyAnswer;
  'evaluate.start': { job: number; run: string };
  'evaluate.report': EvaluationReport;
  'evaluate.matrix': ConfusionMatrix;
  'model.export': { out: string; files: string[] };
  'review.start': { job: number; run: string };
  'review.queue': ReviewQueue;
  'review.keep': EditOutcome;
  'review.neighbours': { labelled: GridItem[]; suggested: GridItem[] };
  'review.summary': ReviewCategorySummary[];
  'duplicates.list': DuplicatePage;
  'duplicates.keepOne': EditOutcome;
  'duplicates.oneSplit': { changed: number; groups: number; description: string };
}

export interface RunSummary {
  run: string;
  model: string;
  state: 'running' | 'stopped' | 'done' | 'failed';
  backend: string | null;
  epoch: number;
  step: number;
  totalSteps: number | null;
  top1: number | null;
  top5: number | null;
  message: string | null;
  createdAt: string;
  options: Record<string, unknown>;
  /** what the user calls the run, and a note on it (null: none) */
  name: string | null;
  note: string | null;
}

export interface RunMetric {
  kind: 'train' | 'validation';
  step: number;
  epoch: number;
  loss: number | null;
  top1: number | null;
  top5: number | null;
  lr: number | null;
  images_per_sec: number | null;
}

export interface BalanceCategory {
  name: string;
  items: number;
  kept: number;
  dropped: number;
  repeated: number;
  final: number;
  validation: number;
  action: 'keep' | 'cap' | 'drop' | 'oversample';
}

export interface BalanceView {
  summary: { categories: number; items: number; min: number; median: number; max: number; imbalance: number };
  categories: BalanceCategory[];
  totals: { items: number; kept: number; dropped: number; repeated: number; final: number };
  /** the stored plan's options, or null when none is applied */
  applied: { maxPerCategory: number; minPerCategory: number; oversample: boolean; seed: number } | null;
  /** when the stored plan was applied (ISO time), or null */
  appliedAt: string | null;
  /** what changed since the stored plan was applied (items added, relabeled, excluded or split again), or null while it still matches */
  stale: string[] | null;
  split: { validation: number; seed: number } | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Events {
  onJobProgress: JobInfo;
  onJobDone: { id: number; kind: string; title: string; state: 'done' | 'failed' | 'cancelled'; message: string };
  /** labels or statuses changed (by this window or another): refresh counts and the grid */
  onLabelsChanged: { batch: number | null; description: string };
  onProjectChanged: ProjectInfo | null;
  /** a menu item was chosen (Electron): the renderer runs the command of the same name */
  onMenuCommand: { command: MenuCommand };
  /** progress of a training run (see shared/training.ts) */
  onTrainEvent: TrainEvent;
  /** a run's stored predictions changed (an evaluation finished): refresh figures and predicted labels */
  onPredictionsChanged: { run: string };
}

/** a command of the one command table (commands.ts); the Electron menu sends the ones it shows */
export type MenuCommand = CommandId;
export type EventName = keyof Events;

/** Validates a call's arguments; the error names the method and the field. */
export function parseArgs<M extends MethodName>(method: M, args: unknown): Result<Args<M>> {
  const schema = methods[method];
  if (!schema) return { ok: false, error: `unknown method "${String(method)}"` };
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as Args<M> };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
  return { ok: false, error: `${method}: ${issue.message}${where}` };
}

export function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** The client side of the contract, the same for both transports. */
export interface Api {
  call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Results[M]>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
