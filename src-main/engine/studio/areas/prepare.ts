/** Split, balance plans, merging categories, and exports. */
import path from 'node:path';
import type { Args, BalanceView } from '../../../shared/contract.js';
import { appliedPlan, applyBalance, distribution, mergeCategories, planBalance, type BalancePlan } from '../../dataset/balance.js';
import { splitDataset } from '../../dataset/split.js';
import { exportCsv, exportFolders } from '../../export/exportFiles.js';
import { exportTfrecord } from '../../export/exportTfrecord.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type PrepareMethods = 'dataset.split' | 'balance.preview' | 'balance.apply' | 'balance.merge' | 'export.start';

export function prepareArea(ctx: StudioContext): AreaHandlers<PrepareMethods> {
  const balanceView = (plan: BalancePlan): BalanceView => {
    const { project } = ctx.need();
    const applied = appliedPlan(project, plan.basis);
    const split = project.meta.get('split_settings');
    return {
      summary: distribution(project).summary,
      categories: plan.categories,
      totals: plan.totals,
      applied: applied?.options ?? null,
      appliedAt: applied?.appliedAt ?? null,
      stale: applied?.stale ?? null,
      split: split ? (JSON.parse(split) as BalanceView['split']) : null,
    };
  };

  const startSplit = (options: Args<'dataset.split'>): number => {
    const { project } = ctx.need();
    return ctx.jobs.start('split', 'Split train/validation', async (signal, progress) => {
      const s = await splitDataset(project, { ...options, onProgress: progress, signal }).catch((err: unknown) => {
        if (signal.aborted) return undefined;
        throw err;
      });
      if (!s) return { cancelled: true, message: 'split cancelled: nothing was changed' };
      ctx.labelsChanged(null, 'split');
      const small = s.tooSmall.length ? `; too small to split (all in train): ${s.tooSmall.map((t) => t.name).join(', ')}` : '';
      return { cancelled: false, message: `${s.train} train, ${s.validationItems} validation${small}` };
    });
  };

  const startExport = (a: Args<'export.start'>): number => {
    const { project } = ctx.need();
    const out = path.resolve(a.out);
    return ctx.jobs.start('export', `Export ${a.format}`, async (signal, progress) => {
      if (a.format === 'tfrecord') {
        const m = await exportTfrecord(project, { out, trainShards: a.trainShards, validationShards: a.validationShards, maxSide: a.maxSide, seed: a.seed, onProgress: progress, signal });
        return { cancelled: m.state !== 'done', message: `${m.splits.train.records} train + ${m.splits.validation.records} validation records in ${m.shards.length} shards to ${out}` };
      }
      const r = a.format === 'folders' ? await exportFolders(project, out, progress, signal) : await exportCsv(project, out, progress, signal);
      return { cancelled: signal.aborted, message: `${r.files} files to ${out}` };
    });
  };

  return {
    'dataset.split': (a) => ({ job: startSplit(a) }),
    'balance.preview': (a) => balanceView(planBalance(ctx.need().project, a)),
    'balance.apply': (a) => {
      const { project } = ctx.need();
      const plan = planBalance(project, a);
      applyBalance(project, plan);
      return balanceView(plan);
    },
    'balance.merge': (a) => edited(ctx, mergeCategories(ctx.need().project, a.from, a.into)),
    'export.start': (a) => ({ job: startExport(a), out: path.resolve(a.out) }),
  };
}
