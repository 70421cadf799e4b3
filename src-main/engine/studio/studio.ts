/**
 * The studio's engine side: implements every method of the contract over the open project
 * and emits its events. Transports (Electron IPC, browser-mode HTTP) only validate,
 * call `handle`, and forward events.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Args, BalanceView, CategoryNode, EventName, Events, ItemDetail, MethodName, ProjectInfo, Result, Results, Selection } from '../../shared/contract.js';
import { parseArgs } from '../../shared/contract.js';
import { applyBalance, distribution, mergeCategories, planBalance, type BalancePlan } from '../dataset/balance.js';
import { importDataset } from '../dataset/importDataset.js';
import { splitDataset } from '../dataset/split.js';
import { pushTo } from '../../shared/collections.js';
import { exportCsv, exportFolders } from '../export/exportFiles.js';
import { exportTfrecord } from '../export/exportTfrecord.js';
import { excludeItems, itemHistory, moveItems, redo, restoreItems, undo } from '../dataset/labels.js';
import { projectStats } from '../dataset/stats.js';
import { BrowseRepo } from '../db/repos/browse.js';
import { JobManager } from '../jobs/jobManager.js';
import { Project } from '../project.js';
import { defaultProjectDir, readRecent, rememberRecent, sampleDatasetDir } from './home.js';
import { ThumbnailService } from './thumbnails.js';
import { listFolder } from './folders.js';
import { itemFile } from '../dataset/sources.js';
import { makePreview } from '../images/decode.js';
import { startTrainer, type Launcher, type TrainerHandle } from '../train/runner.js';
import { backendInfo, initBackend } from '../train/tf.js';
import type { TrainOptions } from '../../shared/training.js';
import type { RunRow } from '../db/repos/runs.js';
import type { RunSummary } from '../../shared/contract.js';

function runSummary(r: RunRow): RunSummary {
  return {
    run: r.id, model: r.model, state: r.state, backend: r.backend, epoch: r.epoch, step: r.step, totalSteps: r.total_steps,
    top1: r.top1, top5: r.top5, message: r.message, createdAt: r.created_at, options: JSON.parse(r.options) as Record<string, unknown>,
  };
}

export interface MediaAnswer {
  status: number;
  type: string;
  body: Buffer | string;
}

export interface StudioOptions {
  mode: 'electron' | 'browser';
  version: string;
  sampleDir?: string;
  /** starts a trainer process; child_process.fork by default */
  launchTrainer?: Launcher;
  /** shows a native folder dialog; absent in browser mode */
  pickFolder?: () => Promise<string | null>;
}

type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;
type Handlers = { [M in MethodName]: (args: Args<M>) => Promise<Results[M]> | Results[M] };

export class Studio {
  private project: Project | null = null;
  private browse: BrowseRepo | null = null;
  thumbnails: ThumbnailService | null = null;
  readonly jobs: JobManager;

  constructor(
    private readonly options: StudioOptions,
    private readonly emit: Emit,
  ) {
    this.jobs = new JobManager({
      progress: (info) => emit('onJobProgress', info),
      done: (info) => emit('onJobDone', info),
    });
  }

  /** Validates and runs one call; every failure becomes `{ok: false, error}` a person can read. */
  async handle(method: MethodName, rawArgs: unknown): Promise<Result<unknown>> {
    const parsed = parseArgs(method, rawArgs);
    if (!parsed.ok) return parsed;
    try {
      const handler = this.handlers[method] as (args: unknown) => unknown;
      return { ok: true, value: await handler(parsed.value) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  get current(): Project | null {
    return this.project;
  }

  async openProject(dir: string, datasetRoot?: string): Promise<ProjectInfo> {
    await this.closeProject();
    const project = datasetRoot ? Project.openOrCreate(dir, datasetRoot) : Project.open(dir);
    this.project = project;
    this.browse = new BrowseRepo(project.db);
    this.thumbnails = new ThumbnailService(project);
    const info = this.info()!;
    rememberRecent(info);
    this.emit('onProjectChanged', info);
    return info;
  }

  async closeProject(): Promise<void> {
    await this.jobs.stopAll();
    for (const t of this.trainers.values()) t.stop();
    await Promise.all([...this.trainers.values()].map((t) => t.finished));
    this.thumbnails?.close();
    this.project?.close();
    this.project = null;
    this.children = null;
    this.browse = null;
    this.thumbnails = null;
  }

  /** A thumbnail or a viewable preview of an item, as an HTTP-like answer for both transports. */
  async media(what: 'thumb' | 'preview', itemId: number): Promise<MediaAnswer> {
    const project = this.project;
    const item = project?.items.get(itemId);
    if (!project || !item) return { status: 404, type: 'text/plain', body: 'no such item' };
    try {
      if (what === 'thumb') {
        const thumb = await this.thumbnails!.get(itemId);
        return Buffer.isBuffer(thumb) ? { status: 200, type: 'image/webp', body: thumb } : { status: 422, type: 'text/plain', body: thumb.error };
      }
      if (item.status !== 'active' && item.status !== 'excluded') return { status: 422, type: 'text/plain', body: item.reason ?? item.status };
      const preview = await makePreview(itemFile(project.datasetRoot, item.path), item.format);
      return { status: 200, type: preview.type, body: preview.data };
    } catch (err) {
      return { status: 422, type: 'text/plain', body: (err as Error).message };
    }
  }

  private info(): ProjectInfo | null {
    if (!this.project) return null;
    const root = this.project.datasetRoot;
    return { dir: this.project.dir, datasetRoot: root, name: path.basename(root) };
  }

  private need(): { project: Project; browse: BrowseRepo } {
    if (!this.project || !this.browse) throw new Error('no project is open: open a dataset folder first');
    return { project: this.project, browse: this.browse };
  }

  /** Imports the open project's dataset, then makes thumbnails, as background jobs. */
  private startImport(): number {
    const { project } = this.need();
    return this.jobs.start('import', `Import ${path.basename(project.datasetRoot)}`, async (signal, progress) => {
      const s = await importDataset(project, { signal, onProgress: progress });
      this.labelsChanged(null, 'import');
      if (s.state === 'done') this.startThumbnails();
      const issues = s.issues.length ? `, ${s.issues.length} skipped` : '';
      return { cancelled: s.state === 'cancelled', message: `${s.files} files: ${s.added} new, ${s.missing} missing, ${s.broken} broken${issues}` };
    });
  }

  private startThumbnails(): number {
    const thumbs = this.thumbnails!;
    return this.jobs.start('thumbnails', 'Make thumbnails', async (signal, progress) => {
      const made = await thumbs.pregenerate(signal, progress);
      return { cancelled: signal.aborted, message: `${made} thumbnails made` };
    });
  }

  private categoryIds(filter: { categoryId?: number; descendants?: boolean }): number[] | null {
    if (filter.categoryId === undefined) return null;
    if (filter.descendants === false) return [filter.categoryId];
    const children = this.categoryChildren();
    const ids: number[] = [];
    const stack = [filter.categoryId];
    while (stack.length) {
      const id = stack.pop()!;
      ids.push(id);
      stack.push(...(children.get(id) ?? []));
    }
    return ids.sort((a, b) => a - b);
  }

  /**
   * The category tree as parent -> children, read once and kept until labels change (a move
   * can create categories): every grid page of a parent category needs it.
   */
  private children: Map<number, number[]> | null = null;
  private categoryChildren(): Map<number, number[]> {
    if (!this.children) {
      this.children = new Map();
      for (const c of this.need().project.categories.all()) if (c.parent_id !== null) pushTo(this.children, c.parent_id, c.id);
    }
    return this.children;
  }

  private labelsChanged(batch: number | null, description: string): void {
    this.children = null;
    this.emit('onLabelsChanged', { batch, description });
  }

  private selectionIds(selection: Selection): number[] {
    if ('ids' in selection) return selection.ids;
    return this.need().browse.ids(selection.filter, this.categoryIds(selection.filter));
  }

  private edited<T extends { batch: number; description: string } | undefined>(result: T): T {
    if (result) this.labelsChanged(result.batch, result.description);
    return result;
  }

  private readonly handlers: Handlers = {
    'app.info': () => ({ version: this.options.version, mode: this.options.mode, project: this.info(), backend: backendInfo()?.label ?? 'not loaded yet' }),
    'project.open': (a) => this.openProject(a.dir),
    'project.openDataset': async (a) => {
      const root = path.resolve(a.datasetRoot);
      if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
      const project = await this.openProject(a.projectDir ?? defaultProjectDir(root), root);
      return { project, job: this.startImport() };
    },
    'project.openSample': async () => {
      const root = this.options.sampleDir ?? sampleDatasetDir();
      const project = await this.openProject(defaultProjectDir(root), root);
      return { project, job: this.startImport() };
    },
    'project.recent': () => readRecent(),
    'project.close': async () => {
      await this.closeProject();
      this.emit('onProjectChanged', null);
      return null;
    },
    'project.stats': () => projectStats(this.need().project),
    'categories.tree': () => {
      const { project } = this.need();
      const counts = new Map(project.categories.activeCounts().map((c) => [c.id, c.count]));
      return project.categories.all().map(
        (c): CategoryNode => ({ id: c.id, name: c.name, leaf: c.leaf_name, parentId: c.parent_id, depth: c.depth, count: counts.get(c.id) ?? 0 }),
      );
    },
    'items.page': (a) => this.need().browse.page(a.filter, this.categoryIds(a.filter), a.offset, a.limit),
    'items.count': (a) => this.need().browse.count(a.filter, this.categoryIds(a.filter)),
    'items.detail': (a): ItemDetail => {
      const { project } = this.need();
      const item = project.items.get(a.id);
      if (!item) throw new Error(`no item with id ${a.id}`);
      return {
        id: item.id, path: item.path, categoryId: item.category_id, status: item.status, reason: item.reason,
        width: item.width, height: item.height, size: item.size, format: item.format, mtimeMs: item.mtime_ms,
        history: itemHistory(project, item.path),
      };
    },
    'labels.move': (a) => this.edited(moveItems(this.need().project, this.selectionIds(a.selection), a.category)),
    'labels.exclude': (a) => this.edited(excludeItems(this.need().project, this.selectionIds(a.selection))),
    'labels.restore': (a) => this.edited(restoreItems(this.need().project, this.selectionIds(a.selection))),
    'labels.undo': () => this.edited(undo(this.need().project)) ?? null,
    'labels.redo': () => this.edited(redo(this.need().project)) ?? null,
    'jobs.cancel': (a) => this.jobs.cancel(a.id),
    'jobs.active': () => this.jobs.active(),
    'files.list': (a) => listFolder(a.dir),
    'dialog.pickFolder': () => this.options.pickFolder?.() ?? null,
    'dataset.split': (a) => ({ job: this.startSplit(a) }),
    'balance.preview': (a) => this.balanceView(planBalance(this.need().project, a)),
    'balance.apply': (a) => {
      const { project } = this.need();
      const plan = planBalance(project, a);
      applyBalance(project, plan);
      return this.balanceView(plan);
    },
    'balance.merge': (a) => this.edited(mergeCategories(this.need().project, a.from, a.into)),
    'export.start': (a) => ({ job: this.startExport(a), out: path.resolve(a.out) }),
    'train.backend': async () => {
      const info = await initBackend();
      return { name: info.name, label: info.label, faster: info.faster };
    },
    'train.start': (a) => ({ run: this.startTraining(a) }),
    'train.resume': (a) => ({ run: this.startTraining({ model: 'small-cnn' }, a.run) }),
    'train.stop': (a) => {
      const handle = this.trainers.get(a.run);
      handle?.stop();
      return handle !== undefined;
    },
    'runs.list': () => this.need().project.runs.all().map(runSummary),
    'runs.metrics': (a) => this.need().project.runs.metrics(a.run),
  };

  private readonly trainers = new Map<string, TrainerHandle>();

  private startTraining(options: TrainOptions, resume?: string): string {
    const { project } = this.need();
    if (this.trainers.size > 0) throw new Error('a training run is already going: stop it first (one run at a time keeps the machine responsive)');
    const handle = startTrainer(project, options, (e) => this.emit('onTrainEvent', e), resume, this.options.launchTrainer);
    this.trainers.set(handle.run, handle);
    void handle.finished.then(() => this.trainers.delete(handle.run));
    return handle.run;
  }

  private balanceView(plan: BalancePlan): BalanceView {
    const { project } = this.need();
    const applied = JSON.parse(project.meta.get('balance_plan') ?? 'null') as { options: BalanceView['applied'] } | null;
    const split = project.meta.get('split_settings');
    return {
      summary: distribution(project).summary,
      categories: plan.categories,
      totals: plan.totals,
      applied: applied?.options ?? null,
      split: split ? (JSON.parse(split) as BalanceView['split']) : null,
    };
  }

  private startSplit(options: Args<'dataset.split'>): number {
    const { project } = this.need();
    return this.jobs.start('split', 'Split train/validation', async (signal, progress) => {
      const s = await splitDataset(project, { ...options, onProgress: progress, signal });
      this.labelsChanged(null, 'split');
      const small = s.tooSmall.length ? `; too small to split (all in train): ${s.tooSmall.map((t) => t.name).join(', ')}` : '';
      return { cancelled: false, message: `${s.train} train, ${s.validationItems} validation${small}` };
    });
  }

  private startExport(a: Args<'export.start'>): number {
    const { project } = this.need();
    const out = path.resolve(a.out);
    return this.jobs.start('export', `Export ${a.format}`, async (signal, progress) => {
      if (a.format === 'tfrecord') {
        const m = await exportTfrecord(project, { out, trainShards: a.trainShards, validationShards: a.validationShards, maxSide: a.maxSide, seed: a.seed, onProgress: progress, signal });
        return { cancelled: m.state !== 'done', message: `${m.splits.train.records} train + ${m.splits.validation.records} validation records in ${m.shards.length} shards to ${out}` };
      }
      const r = a.format === 'folders' ? await exportFolders(project, out, progress, signal) : await exportCsv(project, out);
      return { cancelled: signal.aborted, message: `${r.files} files to ${out}` };
    });
  }
}
