/**
 * The studio's engine side: holds the open project and implements every method of the
 * contract by composing one handler table per area (`areas/*.ts`), and emits its events.
 * Transports (Electron IPC, browser-mode HTTP) only validate, call `handle`, and forward events.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { ItemFilter, MethodName, ProjectInfo, Result, Selection } from '../../shared/contract.js';
import { parseArgs } from '../../shared/contract.js';
import { pushTo } from '../../shared/collections.js';
import { BrowseRepo } from '../db/repos/browse.js';
import { makePreview } from '../images/decode.js';
import { JobManager } from '../jobs/jobManager.js';
import { Project } from '../project.js';
import { labelsArea } from './areas/labels.js';
import { predictArea } from './areas/predict.js';
import { importsArea } from './areas/imports.js';
import { prepareArea } from './areas/prepare.js';
import { reviewArea } from './areas/review.js';
import { duplicatesArea } from './areas/duplicates.js';
import { projectArea } from './areas/project.js';
import { trainArea } from './areas/train.js';
import type { Emit, Handlers, StudioContext, StudioOptions } from './context.js';
import { rememberRecent } from './home.js';
import { itemFileToShow, MediaAccessError } from './media.js';
import { ThumbnailService } from './thumbnails.js';
import { watchOtherWriters } from './otherWriters.js';

export type { StudioOptions } from './context.js';

export interface MediaAnswer {
  status: number;
  type: string;
  body: Buffer | string;
}

export class Studio implements StudioContext {
  private project: Project | null = null;
  private browse: BrowseRepo | null = null;
  thumbnails: ThumbnailService | null = null;
  readonly jobs: JobManager;
  private readonly closers: (() => Promise<void> | void)[] = [];
  private readonly handlers: Handlers;
  /** stops watching for other processes' edits of the open project */
  private stopWatching: (() => void) | null = null;

  constructor(
    readonly options: StudioOptions,
    readonly emit: Emit,
  ) {
    this.jobs = new JobManager({
      progress: (info) => emit('onJobProgress', info),
      done: (info) => emit('onJobDone', info),
    });
    this.handlers = {
      ...projectArea(this, () => this.thumbnails),
      ...labelsArea(this),
      ...prepareArea(this),
      ...trainArea(this),
      ...predictArea(this),
      ...importsArea(this),
      ...reviewArea(this),
      ...duplicatesArea(this),
    };
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
    this.stopWatching = watchOtherWriters(project, () => this.labelsChanged(null, 'changed by another program'));
    const info = this.info()!;
    rememberRecent(info);
    this.emit('onProjectChanged', info);
    return info;
  }

  async closeProject(): Promise<void> {
    this.stopWatching?.();
    this.stopWatching = null;
    await this.jobs.stopAll();
    for (const close of this.closers) await close();
    this.thumbnails?.close();
    this.project?.close();
    this.project = null;
    this.children = null;
    this.browse = null;
    this.thumbnails = null;
  }

  onClose(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }

  private readonly trainingListeners: ((run: string) => void)[] = [];
  onTrainingDone(fn: (run: string) => void): void {
    this.trainingListeners.push(fn);
  }

  trainingDone(run: string): void {
    for (const fn of this.trainingListeners) {
      try {
        fn(run);
      } catch (err) {
        this.emit('onJobDone', { id: 0, kind: 'evaluate', title: `Evaluate ${run}`, state: 'failed', message: (err as Error).message });
      }
    }
  }

  /**
   * A thumbnail or a viewable preview of an item, as an HTTP-like answer for both transports.
   * `projectKey` (ProjectInfo.key, part of every media URL) must name the open project: a page
   * still showing another project gets a 404, never that project's item with the same id.
   */
  async media(what: 'thumb' | 'preview', itemId: number, projectKey: string): Promise<MediaAnswer> {
    const project = this.project;
    if (!project || projectKey !== this.info()?.key) return { status: 404, type: 'text/plain', body: 'not an item of the open project' };
    const item = project.items.get(itemId);
    if (!item) return { status: 404, type: 'text/plain', body: 'no such item' };
    try {
      if (what === 'thumb') {
        const thumb = await this.thumbnails!.get(itemId);
        return Buffer.isBuffer(thumb) ? { status: 200, type: 'image/webp', body: thumb } : { status: 422, type: 'text/plain', body: thumb.error };
      }
      if (item.status !== 'active' && item.status !== 'excluded') return { status: 422, type: 'text/plain', body: item.reason ?? item.status };
      const preview = await makePreview(itemFileToShow(project.datasetRoot, item.path), item.format);
      return { status: 200, type: preview.type, body: preview.data };
    } catch (err) {
      if (err instanceof MediaAccessError) return { status: 403, type: 'text/plain', body: `refused: ${err.message}` };
      return { status: 422, type: 'text/plain', body: (err as Error).message };
    }
  }

  info(): ProjectInfo | null {
    if (!this.project) return null;
    const root = this.project.datasetRoot;
    // media URLs carry the key, so a browser never shows a cached picture of another project (or of a project made again in the same folder)
    const key = crypto.createHash('sha256').update(`${this.project.dir}\0${this.project.meta.get('created_at') ?? ''}`).digest('hex').slice(0, 16);
    return { dir: this.project.dir, datasetRoot: root, name: path.basename(root), key };
  }

  need(): { project: Project; browse: BrowseRepo } {
    if (!this.project || !this.browse) throw new Error('no project is open: open a dataset folder first');
    return { project: this.project, browse: this.browse };
  }

  categoryIds(filter: { categoryId?: number; descendants?: boolean }): number[] | null {
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

  labelsChanged(batch: number | null, description: string): void {
    this.children = null;
    this.emit('onLabelsChanged', { batch, description });
  }

  predictedIds(filter: ItemFilter): number[] | null {
    const predicted = filter.prediction?.predicted;
    return predicted === undefined ? null : this.categoryIds({ categoryId: predicted });
  }

  selectionIds(selection: Selection): number[] {
    if ('ids' in selection) return selection.ids;
    return this.need().browse.ids(selection.filter, this.categoryIds(selection.filter), this.predictedIds(selection.filter));
  }
}
