import path from 'node:path';
import { appliedPlan, applyBalance, distribution, mergeCategories, planBalance } from '../../engine/dataset/balance.js';
import { splitDataset } from '../../engine/dataset/split.js';
import { exportCsv, exportFolders } from '../../engine/export/exportFiles.js';
import { exportTfrecord, type VerifiedNow } from '../../engine/export/exportTfrecord.js';
import { LIMITS } from '../../shared/limits.js';
import { cancelOnSignals } from '../cancel.js';
import { jsonOption, optionalNumber, projectOption, requireString, withProject, type Command } from '../command.js';
import { formatCount, printJson, progressPrinter, say, UsageError } from '../output.js';

const whole = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= LIMITS.perCategory;
const isSeed = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= LIMITS.seed;

/** What an export had to decode first (images the thumbnail job had not checked yet). */
function sayVerified(v: VerifiedNow): void {
  if (v.images === 0) return;
  say(`Decoded ${formatCount(v.images)} images not checked before (${v.seconds.toFixed(1)} s); ${formatCount(v.broken.length)} failed, now broken and left out.`);
  for (const b of v.broken.slice(0, 10)) say(`  ${b.path}: ${b.reason}`);
}

export const splitCommand: Command = {
  name: 'split',
  usage: 'shiwake split --project <dir> [--validation 0.1] [--seed 42] [--reset] [--json]',
  summary: 'stratified, seeded train/validation split; duplicates stay together',
  options: { ...projectOption, ...jsonOption, validation: { type: 'string' }, seed: { type: 'string' }, reset: { type: 'boolean' } },
  run(values) {
    const validation = optionalNumber(values, 'validation', (n) => n > 0 && n < 1, 'a share between 0 and 1, like 0.1');
    const seed = optionalNumber(values, 'seed', isSeed, `a whole number from 0 to ${LIMITS.seed}`);
    return withProject(values, this, async (project) => {
      const progress = progressPrinter('files', values.json === true);
      const cancel = cancelOnSignals();
      const s = await splitDataset(project, { validation, seed, reset: values.reset === true, onProgress: progress.update, signal: cancel.signal })
        .catch((err: unknown) => {
          if (cancel.signal.aborted) return undefined;
          throw err;
        })
        .finally(cancel.dispose);
      progress.done();
      if (!s) {
        say('Split cancelled: nothing was changed.');
        return 130;
      }
      if (values.json) return printJson(s);
      say(`Split ${formatCount(s.train + s.validationItems)} items: ${formatCount(s.train)} train, ${formatCount(s.validationItems)} validation (${(s.validation * 100).toFixed(0)}%, seed ${s.seed}); ${formatCount(s.placed)} placed now, ${formatCount(s.kept)} kept their split.`);
      if (s.duplicateGroups > 0) say(`${formatCount(s.duplicateGroups)} groups of identical files, each kept in one split.`);
      for (const t of s.tooSmall) say(`  too small to split: ${t.name} (${t.items} item${t.items === 1 ? '' : 's'}): all in train`);
    });
  },
};

export const balanceCommand: Command = {
  name: 'balance',
  usage: 'shiwake balance --project <dir> [--max-per-category N] [--min-per-category M] [--oversample] [--seed 42] [--merge "<from>=<into>"]... [--apply] [--replan] [--json]',
  summary: 'show the distribution and preview (or --apply) a plan: cap, drop or oversample, merge',
  options: {
    ...projectOption, ...jsonOption,
    'max-per-category': { type: 'string' }, 'min-per-category': { type: 'string' }, oversample: { type: 'boolean' },
    seed: { type: 'string' }, apply: { type: 'boolean' }, merge: { type: 'string', multiple: true }, replan: { type: 'boolean' },
  },
  run(values) {
    const options = {
      maxPerCategory: optionalNumber(values, 'max-per-category', whole, `a whole number up to ${LIMITS.perCategory}`),
      minPerCategory: optionalNumber(values, 'min-per-category', whole, `a whole number up to ${LIMITS.perCategory}`),
      oversample: values.oversample === true,
      seed: optionalNumber(values, 'seed', isSeed, `a whole number from 0 to ${LIMITS.seed}`),
    };
    return withProject(values, this, (project) => {
      const merges = ((values.merge as string[] | undefined) ?? []).map((m) => {
        const [from, into] = m.split('=');
        if (!from?.trim() || !into?.trim()) throw new UsageError(`--merge wants "<from category>=<into category>" (got "${m}")`);
        return { from: from.trim(), into: into.trim() };
      });
      if (merges.length && !values.apply) throw new UsageError('--merge relabels items: add --apply to do it (it can be undone with shiwake undo)');
      const merged = merges.map((m) => mergeCategories(project, [m.from], m.into));
      const dist = distribution(project);
      // --replan: the stored plan's options again, for today's items (a plan goes stale as items change)
      const stored = values.replan ? appliedPlan(project) : null;
      if (values.replan && !stored) throw new UsageError('--replan makes the applied plan again, but no plan is applied: use --apply with the options you want');
      if (values.replan && (values.apply || Object.values(options).some((v) => v !== undefined && v !== false))) throw new UsageError('--replan reuses the applied plan\'s options: give either --replan or new options with --apply');
      const plan = planBalance(project, stored?.options ?? options);
      const apply = values.apply === true || values.replan === true;
      if (apply) applyBalance(project, plan);
      const current = appliedPlan(project, plan.basis);
      const appliedJson = current && { options: current.options, applied_at: current.appliedAt, stale: current.stale !== null, changes: current.stale ?? [] };
      if (values.json) return printJson({ distribution: dist, plan: { options: plan.options, categories: plan.categories, totals: plan.totals }, applied: apply, applied_plan: appliedJson, merged });
      for (const m of merged) say(m.batch === null ? `Nothing merged: ${m.description}.` : `Merged: ${m.description} (batch ${m.batch}; shiwake undo reverts it)`);
      const s = dist.summary;
      say(`${formatCount(s.categories)} categories, ${formatCount(s.items)} items: min ${formatCount(s.min)}, median ${formatCount(s.median)}, max ${formatCount(s.max)}, imbalance ${s.imbalance.toFixed(1)}x`);
      const width = Math.max(10, ...plan.categories.map((c) => c.name.length));
      say(`${'category'.padEnd(width)}  ${['train', 'kept', 'dropped', 'repeated', 'final', 'valid.'].map((h) => h.padStart(8)).join(' ')}  action`);
      for (const c of plan.categories) {
        say(`${c.name.padEnd(width)}  ${[c.items, c.kept, c.dropped, c.repeated, c.final, c.validation].map((n) => formatCount(n).padStart(8)).join(' ')}  ${c.action}`);
      }
      const t = plan.totals;
      say(`${'total'.padEnd(width)}  ${[t.items, t.kept, t.dropped, t.repeated, t.final].map((n) => formatCount(n).padStart(8)).join(' ')}`);
      say(apply ? 'Plan applied: export and training follow it.' : 'Preview only: add --apply to store this plan.');
      if (!apply && current) {
        const o = current.options;
        say(`Applied plan (${current.appliedAt}): max ${o.maxPerCategory || 'none'}, min ${o.minPerCategory || 'none'}${o.oversample ? ', oversample' : ''}, seed ${o.seed}${current.stale ? '' : '; up to date'}.`);
        if (current.stale) {
          say(`It is stale: the items changed since it was applied, so it no longer balances them:`);
          for (const c of current.stale.slice(0, 20)) say(`  ${c}`);
          if (current.stale.length > 20) say(`  ... and ${current.stale.length - 20} more`);
          say('Re-plan with the same options: shiwake balance --replan');
        }
      }
    });
  },
};

export const exportCommand: Command = {
  name: 'export',
  usage: 'shiwake export --project <dir> --format tfrecord|folders|csv --out <dir> [--train-shards N] [--validation-shards M] [--max-side S] [--seed 42] [--json]',
  summary: 'write TFRecord shards (inception layout), a folder tree, or a CSV manifest',
  options: {
    ...projectOption, ...jsonOption, format: { type: 'string' }, out: { type: 'string' },
    'train-shards': { type: 'string' }, 'validation-shards': { type: 'string' }, 'max-side': { type: 'string' }, seed: { type: 'string' }, quality: { type: 'string' },
  },
  run(values) {
    const format = requireString(values, 'format', this);
    if (!['tfrecord', 'folders', 'csv'].includes(format)) throw new UsageError(`--format must be tfrecord, folders or csv (got "${format}")`);
    const out = path.resolve(requireString(values, 'out', this));
    const positive = (n: number): boolean => Number.isInteger(n) && n >= 1;
    const opts = {
      out,
      trainShards: optionalNumber(values, 'train-shards', (n) => positive(n) && n <= LIMITS.shards, `a whole number from 1 to ${LIMITS.shards}`),
      validationShards: optionalNumber(values, 'validation-shards', (n) => positive(n) && n <= LIMITS.shards, `a whole number from 1 to ${LIMITS.shards}`),
      maxSide: optionalNumber(values, 'max-side', (n) => positive(n) && n <= LIMITS.maxSide, `a size in pixels from 1 to ${LIMITS.maxSide}`),
      seed: optionalNumber(values, 'seed', isSeed, `a whole number from 0 to ${LIMITS.seed}`),
      quality: optionalNumber(values, 'quality', (n) => positive(n) && n <= 100, 'a JPEG quality from 1 to 100'),
    };
    return withProject(values, this, async (project) => {
      const cancel = cancelOnSignals();
      const controller = { signal: cancel.signal };
      const progress = progressPrinter('records', values.json === true);
      try {
        if (format === 'tfrecord') {
          const m = await exportTfrecord(project, { ...opts, onProgress: progress.update, signal: controller.signal });
          progress.done();
          if (values.json) printJson(m);
          else {
            say(`${m.state === 'done' ? 'Exported' : 'Export cancelled after'} ${formatCount(m.splits.train.records)} train and ${formatCount(m.splits.validation.records)} validation records in ${m.shards.length} shards, ${m.labels.length} labels, to ${out}`);
            say(`${formatCount(m.passed_through)} JPEGs passed through, ${formatCount(m.re_encoded)} re-encoded; left out: ${m.left_out.excluded} excluded, ${m.left_out.broken} broken, ${m.left_out.missing} missing, ${m.left_out.balance_plan} by the balance plan, ${m.left_out.failed.length} failed to decode`);
            for (const f of m.left_out.failed.slice(0, 10)) say(`  ${f.path}: ${f.reason}`);
            sayVerified(m.verified_now);
            if (m.state !== 'done') say('Run the same command again to finish: complete shards are kept.');
          }
          return m.state === 'done' ? 0 : 130;
        }
        const r = format === 'folders' ? await exportFolders(project, out, progress.update, controller.signal) : await exportCsv(project, out, progress.update, controller.signal);
        progress.done();
        if (values.json) printJson(r);
        else {
          sayVerified(r.verified_now);
          say(`${cancel.signal.aborted ? 'Export cancelled after' : 'Exported'} ${formatCount(r.files)} files (${formatCount(r.splits.train)} train, ${formatCount(r.splits.validation)} validation) as ${format} to ${out}${format === 'folders' ? `: ${formatCount(r.linked)} hard links, ${formatCount(r.copied)} copies` : ''}`);
        }
        return cancel.signal.aborted ? 130 : 0;
      } finally {
        cancel.dispose();
      }
    });
  },
};
