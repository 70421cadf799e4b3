/**
 * The review on Fashion-MNIST with 10% of the training labels flipped at random (seeded,
 * recorded): precision and recall of the top-k ranked items at k = the number flipped, for
 * the K-fold heads and for kNN, beside the baseline "lowest out-of-sample probability of the
 * given label" over the same scores; the time of the review job. Then the scoring alone at
 * scale, on synthetic embeddings (`--n` items, 1,000 categories, 256 values).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, fashionMnistInstalled, readFashionMnist } from '../../scripts/fashion-mnist.js';
import { quantize } from '../../src-main/engine/db/repos/review.js';
import { Project } from '../../src-main/engine/project.js';
import { scoreInChild } from '../../src-main/engine/review/reviewJob.js';
import { rng } from '../../src-main/shared/random.js';
import { benchDir, fmt, REPO, row } from './util.js';

const cli = (...args: string[]): string => execFileSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });

async function noisyFashion(root: string, perClass: number): Promise<Set<string>> {
  const flipped = new Set<string>();
  const set = readFashionMnist('train');
  const random = rng(20261129);
  const counts = new Array(10).fill(0);
  for (const c of FASHION_MNIST_CLASSES) fs.mkdirSync(path.join(root, c), { recursive: true });
  const jobs: { i: number; label: number }[] = [];
  for (let i = 0; i < set.count; i++) {
    const truth = set.label(i);
    if (counts[truth] >= perClass) continue;
    counts[truth]++;
    let label = truth;
    if (random() < 0.1) label = (truth + 1 + Math.floor(random() * 9)) % 10; // another class, uniformly
    jobs.push({ i, label });
    if (label !== truth) flipped.add(`${FASHION_MNIST_CLASSES[label]}/train-${String(i).padStart(5, '0')}.png`);
  }
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < jobs.length) {
      const { i, label } = jobs[next++]!;
      await sharp(set.image(i), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path.join(root, FASHION_MNIST_CLASSES[label]!, `train-${String(i).padStart(5, '0')}.png`));
    }
  }));
  fs.writeFileSync(path.join(root, '..', 'flipped.txt'), [...flipped].sort().join('\n'));
  return flipped;
}

function precisionRecall(ranked: string[], flipped: Set<string>, k: number): { precision: number; recall: number } {
  const hits = ranked.slice(0, k).filter((p) => flipped.has(p)).length;
  return { precision: hits / Math.max(1, Math.min(k, ranked.length)), recall: hits / flipped.size };
}

function rankings(projectDir: string, run: string): { ranked: string[]; baseline: string[]; suspected: string[]; marginFlagged: string[]; marginAll: string[] } {
  const project = Project.open(projectDir);
  try {
    const rows = project.db
      .prepare('SELECT i.path, s.score, s.label_prob, s.suggested_prob, s.suspected FROM review_scores s JOIN items i ON i.id = s.item_id WHERE s.run_id = ?')
      .all(run) as { path: string; score: number; label_prob: number; suggested_prob: number; suspected: number }[];
    const margin = (r: { label_prob: number; suggested_prob: number }): number => r.label_prob - r.suggested_prob;
    const ranked = [...rows].sort((a, b) => b.suspected - a.suspected || b.score - a.score).map((r) => r.path);
    const marginFlagged = [...rows].sort((a, b) => b.suspected - a.suspected || margin(a) - margin(b)).map((r) => r.path);
    const marginAll = [...rows].sort((a, b) => margin(a) - margin(b)).map((r) => r.path);
    const baseline = [...rows].sort((a, b) => a.label_prob - b.label_prob).map((r) => r.path);
    return { ranked, baseline, suspected: rows.filter((r) => r.suspected).map((r) => r.path), marginFlagged, marginAll };
  } finally {
    project.close();
  }
}

export async function benchReview(perClass: number, epochs: number): Promise<void> {
  if (!fashionMnistInstalled()) console.log('\nreview: Fashion-MNIST part skipped (apt-get install dataset-fashion-mnist)');
  else {
    const base = benchDir(`review-${perClass}`);
    const root = path.join(base, 'data');
    const projectDir = path.join(base, 'project');
    fs.rmSync(base, { recursive: true, force: true });
    fs.mkdirSync(base, { recursive: true });
    const flipped = await noisyFashion(root, perClass);
    cli('import', root, '--project', projectDir, '--json');
    cli('split', '--project', projectDir, '--json');
    console.log(`\nreview: Fashion-MNIST train, ${fmt(perClass * 10)} images, ${fmt(flipped.size)} labels flipped (10%, seeded); small CNN 28 px, ${epochs} epochs`);
    const t0 = performance.now();
    const train = JSON.parse(cli('train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '28', '--epochs', String(epochs), '--batch-size', '64', '--optimizer', 'adam', '--learning-rate', '0.001', '--json').trim().split('\n').at(-1)!);
    row('training (noisy labels): minutes, validation top-1', `${fmt((performance.now() - t0) / 60000, 1)} min, ${fmt(train.top1 * 100, 1)} %`);
    const variants = [['kfold', ['--method', 'kfold']], ['kfold (logistic heads)', ['--method', 'kfold', '--head', 'logistic']], ['knn', ['--method', 'knn']]] as const;
    for (const [method, args] of variants) {
      const t = performance.now();
      cli('review', '--project', projectDir, '--run', train.run, ...args, '--json');
      const seconds = (performance.now() - t) / 1000;
      const { ranked, baseline, suspected, marginFlagged, marginAll } = rankings(projectDir, train.run);
      const k = flipped.size;
      const ours = precisionRecall(ranked, flipped, k);
      const base = precisionRecall(baseline, flipped, k);
      const sus = precisionRecall(suspected, flipped, suspected.length);
      row(`${method}: precision = recall at k = ${fmt(k)}, the queue: suspected (lowest self-confidence, as many as estimated) first`, `${fmt(ours.precision, 3)}`);
      row(`${method}: the same, suspected first by normalised margin`, `${fmt(precisionRecall(marginFlagged, flipped, k).precision, 3)}`);
      row(`${method}: normalised margin over every item`, `${fmt(precisionRecall(marginAll, flipped, k).precision, 3)}`);
      row(`${method}: baseline lowest p(label), same scores`, `${fmt(base.precision, 3)}`);
      row(`${method}: suspected set: size, precision, recall`, `${fmt(suspected.length)}, ${fmt(sus.precision, 3)}, ${fmt(sus.recall, 3)}`);
      row(`${method}: review job (embeddings first time, then scoring)`, `${fmt(seconds, 1)} s`);
    }
  }
}

/** K-fold scoring alone on synthetic embeddings: n items in 1,000 clustered categories. */
export async function benchScoringAtScale(n: number): Promise<void> {
  const base = benchDir(`review-scale-${n}`);
  fs.rmSync(base, { recursive: true, force: true });
  const data = path.join(base, 'data');
  fs.mkdirSync(data, { recursive: true });
  const project = Project.openOrCreate(path.join(base, 'project'), data);
  const classes = 1000;
  const dim = 256;
  const random = rng(7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: classes }, () => Float32Array.from({ length: dim }, gauss));
  const before = fs.statSync(path.join(project.dir, 'shiwake.db')).size;
  const t0 = performance.now();
  project.db.transaction(() => {
    const cats = Array.from({ length: classes }, (_, c) => project.categories.ensure(`Group ${c % 20} > Class ${c}`));
    project.runs.create('synthetic', 'small-cnn', {});
    const insert = project.db.prepare("INSERT INTO items (id, path, size, mtime_ms, original_category_id, category_id, status) VALUES (?, ?, 1, 1, ?, ?, 'active')");
    const rows = [];
    for (let i = 1; i <= n; i++) {
      const c = i % classes;
      const noisy = random() < 0.05 ? Math.floor(random() * classes) : c;
      insert.run(i, `x/${i}.jpg`, cats[noisy], cats[noisy]);
      const v = Float32Array.from(centres[c]!, (x) => x + 1.5 * gauss());
      rows.push({ item_id: i, size: 1, mtime_ms: 1, ...quantize(v) });
      if (rows.length === 10_000) project.review.saveEmbeddings('synthetic', rows.splice(0));
    }
    project.review.saveEmbeddings('synthetic', rows);
  })();
  const bytes = fs.statSync(path.join(project.dir, 'shiwake.db')).size - before;
  console.log(`\nreview at scale: ${fmt(n)} synthetic items, ${classes} categories, ${dim} values (written in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
  row('database growth per item (item + embedding rows)', `${fmt(bytes / n)} bytes (${fmt((bytes / n) * 1e6 / 2 ** 20)} MiB per million)`);
  const t = performance.now();
  const summary = await scoreInChild(project, 'synthetic', { method: 'kfold', folds: 5 });
  row('K-fold scoring and ranking (5 folds, discriminant heads)', `${fmt((performance.now() - t) / 1000, 1)} s, ${fmt(summary?.suspected ?? 0)} suspected, peak ${fmt(summary?.peakRssMiB ?? 0)} MiB`);
  project.close();
}
