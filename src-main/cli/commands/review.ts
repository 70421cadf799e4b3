/** review: rank the likely mislabels of the dataset with a finished run or a pretrained backbone. */
import { PredictionService } from '../../engine/predict/service.js';
import { reviewQueue, reviewSummary, runReview } from '../../engine/review/reviewJob.js';
import type { FoldHead } from '../../engine/review/scoring.js';
import { backboneArgs, backboneOptions, jsonOption, optionalNumber, projectOption, withProject, type Command } from '../command.js';
import { cancelOnSignals } from '../cancel.js';
import { formatCount, printJson, progressPrinter, say, UsageError } from '../output.js';

const PAGE = 5000;

export const reviewCommand: Command = {
  name: 'review',
  usage: 'shiwake review --project <dir> [--run <id> | --backbone <folder-or-url> [--image-size S]] [--folds 5] [--method kfold|knn] [--head discriminant|logistic] [--json]',
  summary: 'rank the likely mislabelled items (out-of-sample scores from the embeddings of a run or a pretrained backbone, confident learning)',
  options: { ...projectOption, ...jsonOption, ...backboneOptions, run: { type: 'string' }, folds: { type: 'string' }, method: { type: 'string' }, head: { type: 'string' } },
  async run(values) {
    const source = backboneArgs(values, this);
    const folds = optionalNumber(values, 'folds', (n) => Number.isInteger(n) && n >= 2 && n <= 20, 'a whole number from 2 to 20');
    const method = values.method as string | undefined;
    if (method !== undefined && method !== 'kfold' && method !== 'knn') throw new UsageError(`--method must be kfold or knn (got "${method}")`);
    const head = values.head as string | undefined;
    if (head !== undefined && head !== 'discriminant' && head !== 'logistic') throw new UsageError(`--head must be discriminant or logistic (got "${head}")`);
    const json = values.json === true;
    return withProject(values, this, async (project) => {
      const service = new PredictionService();
      const cancel = cancelOnSignals('stopping: the embeddings made so far are kept');
      const printer = progressPrinter('images', json && !process.stderr.isTTY);
      try {
        const r = await runReview(project, service, source.run, { backbone: source.backbone, imageSize: source.imageSize, folds, method: method as 'kfold' | 'knn' | undefined, head: head as FoldHead | undefined, signal: cancel.signal, onProgress: printer.update });
        printer.done();
        if ('cancelled' in r) return 130;
        // one line per suspected item, most likely wrong first
        for (let offset = 0; ; offset += PAGE) {
          const page = reviewQueue(project, r.run, { labelled: null, suggested: null }, offset, PAGE);
          for (const item of page.items) {
            if (json) printJson({ path: item.path, label: item.label, suggested: item.suggested.name, score: item.score });
            else say(`${item.score.toFixed(3)}  ${item.path}  labelled ${item.label}, looks like ${item.suggested.name} (${(item.suggested.probability * 100).toFixed(1)}%)`);
          }
          if (page.items.length < PAGE) break;
        }
        if (!json) {
          process.stderr.write(`${formatCount(r.suspected)} of ${formatCount(r.items)} items look mislabelled (run ${r.run}, ${r.method}, ${r.seconds.toFixed(1)} s)\n`);
          const worst = reviewSummary(project, r.run).slice(0, 5).filter((c) => c.estimatedErrors >= 0.5);
          for (const c of worst) process.stderr.write(`  ${c.name}: about ${(c.estimatedShare * 100).toFixed(1)}% of ${formatCount(c.items)} labels wrong\n`);
        }
        return 0;
      } finally {
        cancel.dispose();
        service.close();
      }
    });
  },
};
