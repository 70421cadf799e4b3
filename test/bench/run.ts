/**
 * npm run bench [-- --only import] [--n 100000] [--runs 3]
 * Prints each benchmark beside a reference measured in the same run; numbers are medians.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchBrowse } from './browse.js';
import { benchClassify } from './classify.js';
import { benchExport } from './export.js';
import { benchFashion } from './fashion.js';
import { benchFashionTransfer } from './fashionTransfer.js';
import { benchImport } from './import.js';
import { benchReview, benchScoringAtScale } from './review.js';
import { benchSplit } from './split.js';
import { benchDuplicates } from './duplicates.js';
import { benchTrain } from './train.js';
import { benchThumbnails } from './thumbnails.js';

const { values } = parseArgs({
  options: { only: { type: 'string' }, n: { type: 'string' }, runs: { type: 'string', default: '3' }, epochs: { type: 'string' }, 'per-class': { type: 'string' }, 'review-epochs': { type: 'string', default: '2' } },
});
const only = values.only?.split(',');
const runs = Number(values.runs);
// the Fashion-MNIST run takes about half an hour, and the split one writes a million files
// (8 GB on disk): only when asked for by name
const wanted = (name: string): boolean => (only ? only.includes(name) : !['fashion', 'review', 'review-scale', 'duplicates', 'split'].includes(name));

console.log(`shiwake bench on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
if (wanted('import')) await benchImport(Number(values.n ?? 100_000), runs);
if (wanted('export')) await benchExport(Number(values.n ?? 100_000), runs);
if (wanted('thumbnails')) await benchThumbnails(Number(values.n ?? 10_000), runs);
if (wanted('train')) await benchTrain(runs);
// the goal run of issue 13 is 8 epochs (93 % in 10 minutes); the transfer runs train four networks, 5 epochs each
if (wanted('fashion')) await benchFashion(Number(values.epochs ?? 8));
// the transfer-learning runs alone (--only fashion runs them after the default recipe); --per-class N for a small sample
if (wanted('fashion') || only?.includes('fashion-transfer')) await benchFashionTransfer(Number(values.epochs ?? 5), values['per-class'] ? Number(values['per-class']) : undefined);
if (wanted('split')) await benchSplit(Number(values.n ?? 1_000_000));
if (wanted('browse')) await benchBrowse(Number(values.n ?? 1_000_000), runs);
if (wanted('classify')) await benchClassify(Number(values.n ?? 10_000), runs);
if (wanted('review')) await benchReview(Number(values['per-class'] ?? 6000), Number(values['review-epochs']));
// K-fold scoring of n synthetic items in 1,000 categories (default 1M): with --only review or review-scale
if (wanted('review') || wanted('review-scale')) await benchScoringAtScale(Number(values.n ?? 1_000_000));
// the near-duplicate index at 1M vectors (about 10 minutes on 2 cores): with --only duplicates or review
if (wanted('duplicates') || wanted('review')) await benchDuplicates(Number(values.n ?? 1_000_000));
