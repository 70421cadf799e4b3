/** Opening, closing and listing projects; app facts; folder listings and dialogs. */
import path from 'node:path';
import { importDataset } from '../../dataset/importDataset.js';
import { checkImportSource } from '../../dataset/sources.js';
import { projectStats } from '../../dataset/stats.js';
import { probedBackend } from '../../train/probe.js';
import type { AreaHandlers, StudioContext } from '../context.js';
import { listFolder } from '../folders.js';
import { checkProjectFolder, defaultProjectDir, readRecent, sampleDatasetDir } from '../home.js';
import type { ThumbnailService } from '../thumbnails.js';

type ProjectMethods = 'app.info' | 'project.open' | 'project.openDataset' | 'project.openSample' | 'project.recent' | 'project.close' | 'project.defaultDir' | 'project.stats' | 'files.list' | 'dialog.pickFolder' | 'jobs.cancel' | 'jobs.active';

export function projectArea(ctx: StudioContext, thumbnails: () => ThumbnailService | null): AreaHandlers<ProjectMethods> {
  /** Imports the open project's dataset, then makes thumbnails, as background jobs. */
  const startImport = (): number => {
    const { project } = ctx.need();
    return ctx.jobs.start('import', `Import ${path.basename(project.datasetRoot)}`, async (signal, progress) => {
      const s = await importDataset(project, { signal, onProgress: progress });
      ctx.labelsChanged(null, 'import');
      if (s.state === 'done') startThumbnails();
      const issues = s.issues.length ? `, ${s.issues.length} skipped` : '';
      return { cancelled: s.state === 'cancelled', message: `${s.files} files: ${s.added} new, ${s.missing} missing, ${s.broken} broken${issues}` };
    });
  };
  const startThumbnails = (): number => {
    const thumbs = thumbnails()!;
    return ctx.jobs.start('thumbnails', 'Make thumbnails', async (signal, progress) => {
      const made = await thumbs.pregenerate(signal, progress);
      return { cancelled: signal.aborted, message: `${made} thumbnails made` };
    });
  };
  return {
    'app.info': () => ({ version: ctx.options.version, mode: ctx.options.mode, project: ctx.info(), backend: probedBackend()?.label ?? 'not probed yet' }),
    'project.open': (a) => ctx.openProject(a.dir),
    'project.openDataset': async (a) => {
      const root = path.resolve(a.datasetRoot);
      await checkImportSource(root); // no project is made for a folder that does not exist
      const chosen = a.projectDir?.trim() ? checkProjectFolder(a.projectDir, root) : undefined;
      const project = await ctx.openProject(chosen ?? defaultProjectDir(root), root);
      return { project, job: startImport() };
    },
    'project.openSample': async () => {
      const root = ctx.options.sampleDir ?? sampleDatasetDir();
      const project = await ctx.openProject(defaultProjectDir(root), root);
      return { project, job: startImport() };
    },
    'project.defaultDir': (a) => defaultProjectDir(path.resolve(a.datasetRoot)),
    'project.recent': () => readRecent(),
    'project.close': async () => {
      await ctx.closeProject();
      ctx.emit('onProjectChanged', null);
      return null;
    },
    'project.stats': () => projectStats(ctx.need().project),
    'files.list': (a) => listFolder(a.dir),
    'dialog.pickFolder': () => ctx.options.pickFolder?.() ?? null,
    'jobs.cancel': (a) => ctx.jobs.cancel(a.id),
    'jobs.active': () => ctx.jobs.active(),
  };
}
