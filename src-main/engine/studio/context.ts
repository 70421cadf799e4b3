/**
 * What every area of the studio's handlers shares: the open project, events, jobs, and the
 * helpers that turn a selection or a category filter into item ids. One object, made by
 * `Studio`, handed to each area (`areas/*.ts`), so an area never reaches into another.
 */
import type { Args, EventName, Events, ItemFilter, MethodName, Results, Selection } from '../../shared/contract.js';
import type { BrowseRepo } from '../db/repos/browse.js';
import type { JobManager } from '../jobs/jobManager.js';
import type { Project } from '../project.js';
import type { Launcher } from '../train/runner.js';
import type { ProjectInfo } from '../../shared/contract.js';

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;
export type Handlers = { [M in MethodName]: (args: Args<M>) => Promise<Results[M]> | Results[M] };
export type AreaHandlers<M extends MethodName> = { [K in M]: Handlers[K] };

export interface StudioOptions {
  mode: 'electron' | 'browser';
  version: string;
  sampleDir?: string;
  /** starts a trainer process; child_process.fork by default */
  launchTrainer?: Launcher;
  /** shows a native folder dialog; absent in browser mode */
  pickFolder?: () => Promise<string | null>;
  /** shows a native file dialog (images to classify); absent in browser mode */
  pickFiles?: () => Promise<string[] | null>;
}

export interface StudioContext {
  readonly options: StudioOptions;
  readonly emit: Emit;
  readonly jobs: JobManager;
  /** the open project, or an error a person can act on */
  need(): { project: Project; browse: BrowseRepo };
  info(): ProjectInfo | null;
  openProject(dir: string, datasetRoot?: string): Promise<ProjectInfo>;
  closeProject(): Promise<void>;
  /** a category filter as the ids of the category and (by default) its descendants */
  categoryIds(filter: { categoryId?: number; descendants?: boolean }): number[] | null;
  /** a prediction filter's "predicted" category as the ids of it and its descendants */
  predictedIds(filter: ItemFilter): number[] | null;
  selectionIds(selection: Selection): number[];
  /** labels or statuses changed: drop cached trees and tell every window */
  labelsChanged(batch: number | null, description: string): void;
  /** registers work to finish (or stop) before the project closes */
  onClose(fn: () => Promise<void> | void): void;
  /** a training run of the open project finished (done, stopped or failed): listeners, and telling them */
  onTrainingDone(fn: (run: string) => void): void;
  trainingDone(run: string): void;
}

/** Reports an edit to every window (unless it changed nothing) and returns it. */
export function edited<T extends { batch: number | null; description: string; changed: number } | undefined>(ctx: StudioContext, result: T): T {
  if (result && (result.batch !== null || result.changed > 0)) ctx.labelsChanged(result.batch, result.description);
  return result;
}
