/** Classify files and items, evaluate runs (stored predictions, figures, matrices), export a model. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ItemFilter } from '../../../shared/contract.js';
import { evaluationMatrix, evaluationReport, exportModel, PredictionService } from '../../predict/service.js';
import type { AreaHandlers, StudioContext } from '../context.js';

type PredictMethods = 'dialog.pickFiles' | 'classify.files' | 'classify.items' | 'evaluate.start' | 'evaluate.report' | 'evaluate.matrix' | 'model.export';

/** The key under which an evaluation of a filter is remembered (field order does not matter). */
export function filterKey(filter: ItemFilter | undefined): string {
  const f = filter ?? {};
  return JSON.stringify(Object.fromEntries(Object.entries(f).filter(([k, v]) => v !== undefined && k !== 'sort').sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** Uploaded bytes (browser mode) live in a private temporary folder only while they are classified. */
async function withUploads<T>(uploads: { name: string; data: string }[], fn: (files: { file: string; shown: string }[]) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiwake-classify-'));
  try {
    const files = uploads.map((u, i) => {
      const file = path.join(dir, `${i}`);
      fs.writeFileSync(file, Buffer.from(u.data, 'base64'));
      return { file, shown: u.name };
    });
    return await fn(files);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function predictArea(ctx: StudioContext): AreaHandlers<PredictMethods> {
  const service = new PredictionService();
  ctx.onClose(() => service.close());
  const itemIds = (filter: ItemFilter | undefined): number[] => {
    const f = filter ?? {};
    return ctx.need().browse.ids(f, ctx.categoryIds(f), ctx.predictedIds(f));
  };
  const startEvaluation = (run: string | undefined, filter: ItemFilter | undefined): { job: number; run: string } => {
    const { project } = ctx.need();
    const ids = itemIds(filter);
    const runId = service.resolve(project, run);
    const job = ctx.jobs.start('evaluate', `Evaluate ${runId}`, async (signal, progress) => {
      const r = await service.evaluate(project, runId, ids, { signal, onProgress: progress, filterKey: filterKey(filter) });
      ctx.emit('onPredictionsChanged', { run: runId });
      const failed = r.failed.length ? `; ${r.failed.length} could not be read (first: ${r.failed[0]!.path}: ${r.failed[0]!.error})` : '';
      return { cancelled: r.cancelled, message: `${r.items} items: ${r.predicted} classified, ${r.items - r.predicted} up to date${failed}` };
    });
    return { job, run: runId };
  };
  ctx.onTrainingDone((run) => {
    // every finished run is evaluated on the validation split (or on everything without one)
    const { project } = ctx.need();
    const hasValidation = ctx.need().browse.count({ split: 'validation' }, null) > 0;
    if (project.runs.get(run)?.state === 'done') startEvaluation(run, hasValidation ? { split: 'validation' } : undefined);
  });
  return {
    'dialog.pickFiles': () => ctx.options.pickFiles?.() ?? null,
    'classify.files': async (a) => {
      const { project } = ctx.need();
      const options = { run: a.run, top: a.top };
      if (a.uploads && a.uploads.length > 0) return withUploads(a.uploads, (files) => service.classifyFiles(project, files, options));
      if (!a.files || a.files.length === 0) throw new Error('classify.files: give files or uploads');
      return service.classifyFiles(project, a.files.map((file) => ({ file })), options);
    },
    'classify.items': (a) => {
      const ids = ctx.selectionIds(a.selection);
      if (ids.length > 1000) throw new Error(`classify at most 1,000 items at once (${ids.length} selected): evaluate the run for more`);
      return service.classifyItems(ctx.need().project, ids, { run: a.run, top: a.top });
    },
    'evaluate.start': (a) => startEvaluation(a.run, a.filter),
    'evaluate.report': (a) => evaluationReport(ctx.need().project, a.run, itemIds(a.filter), { level: a.level, pairs: a.pairs, filterKey: filterKey(a.filter) }),
    'evaluate.matrix': (a) => evaluationMatrix(ctx.need().project, a.run, itemIds(a.filter), { categories: a.categories, subtree: a.categoryId, level: a.level }),
    'model.export': (a) => exportModel(ctx.need().project, a.run, a.out),
  };
}
