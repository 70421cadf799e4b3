/** The review queue: likely mislabels ranked by out-of-sample scores, kept labels, neighbours. */
import type { GridItem } from '../../../shared/contract.js';
import { PredictionService } from '../../predict/service.js';
import { nearestInCategory } from '../../review/neighbours.js';
import { embeddingSource, keepLabels, reviewQueue, reviewSummary, runReview } from '../../review/reviewJob.js';
import type { Project } from '../../project.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type ReviewMethods = 'review.start' | 'review.queue' | 'review.keep' | 'review.neighbours' | 'review.summary';

function gridItems(project: Project, ids: number[]): GridItem[] {
  return ids.flatMap((id) => {
    const i = project.items.get(id);
    return i ? [{ id: i.id, path: i.path, categoryId: i.category_id, status: i.status, reason: i.reason, width: i.width, height: i.height, size: i.size, mtimeMs: i.mtime_ms }] : [];
  });
}

export function reviewArea(ctx: StudioContext): AreaHandlers<ReviewMethods> {
  const service = new PredictionService();
  ctx.onClose(() => service.close());
  const subtree = (id: number | undefined): number[] | null => (id === undefined ? null : ctx.categoryIds({ categoryId: id }));
  return {
    'review.start': (a) => {
      const { project } = ctx.need();
      // checked before the job: a wrong run or backbone folder is an answer, not a failed job
      const source = embeddingSource(project, a.run, { backbone: a.backbone, imageSize: a.imageSize });
      const run = source.run;
      const what = source.backbone ? `backbone ${source.backbone.name}` : run;
      const job = ctx.jobs.start('review', `Find likely mislabels (${what})`, async (signal, progress) => {
        const r = await runReview(project, service, a.backbone ? undefined : run, { backbone: a.backbone, imageSize: a.imageSize, folds: a.folds, method: a.method, signal, onProgress: progress });
        ctx.emit('onPredictionsChanged', { run });
        if ('cancelled' in r) return { cancelled: true, message: 'cancelled' };
        return { cancelled: false, message: `${r.suspected.toLocaleString('en-US')} of ${r.items.toLocaleString('en-US')} items look mislabelled (${r.method}, ${r.seconds.toFixed(1)} s)` };
      });
      return { job, run };
    },
    'review.queue': (a) => reviewQueue(ctx.need().project, a.run, { labelled: subtree(a.labelled), suggested: subtree(a.suggested) }, a.offset, a.limit),
    'review.keep': (a) => edited(ctx, keepLabels(ctx.need().project, a.ids)),
    'review.neighbours': (a) => {
      const { project } = ctx.need();
      const item = project.items.get(a.id);
      if (!item) throw new Error(`no item with id ${a.id}`);
      const k = a.k ?? 6;
      const suggested = a.category ?? project.review.scoreOf(a.run, a.id)?.suggested;
      return {
        labelled: gridItems(project, nearestInCategory(project, a.run, a.id, item.category_id, k)),
        suggested: suggested === undefined ? [] : gridItems(project, nearestInCategory(project, a.run, a.id, suggested, k)),
      };
    },
    'review.summary': (a) => reviewSummary(ctx.need().project, a.run),
  };
}
