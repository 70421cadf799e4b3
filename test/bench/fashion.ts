/**
 * One real run: the small CNN on Fashion-MNIST, trained on the 60,000 training images and
 * evaluated on the 10,000 test images (as validation), to compare with the published
 * two-convolution baselines (test accuracy 0.876 to 0.934).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fashionMnistInstalled, writeFashionMnistFolder } from '../../scripts/fashion-mnist.js';
import { Project } from '../../src-main/engine/project.js';
import { benchDir, fmt, REPO, row } from './util.js';

export async function benchFashion(epochs: number): Promise<void> {
  if (!fashionMnistInstalled()) return console.log('\nfashion: skipped (apt-get install dataset-fashion-mnist)');
  const base = benchDir('fashion');
  const root = path.join(base, 'fashion-mnist');
  if (!fs.existsSync(path.join(root, '.complete'))) {
    fs.rmSync(root, { recursive: true, force: true });
    await writeFashionMnistFolder({ out: root });
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  const projectDir = path.join(base, 'project');
  const cli = (...args: string[]): string => execFileSync(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  if (!fs.existsSync(path.join(projectDir, 'shiwake.db'))) {
    cli('import', root, '--project', projectDir, '--json');
    // the published split: train-* files train, test-* files evaluate
    const project = Project.open(projectDir);
    const items = project.db.prepare('SELECT id, path FROM items').all() as { id: number; path: string }[];
    project.plan.setSplits(new Map(items.map((i) => [i.id, path.basename(i.path).startsWith('test-') ? 'validation' : 'train'])));
    project.meta.set('split_settings', JSON.stringify({ source: 'Fashion-MNIST train/test files' }));
    project.close();
  }
  console.log(`\nfashion: small CNN on Fashion-MNIST (60,000 train, 10,000 test), the default recipe (256-unit dense layer, Adam 2e-3, warm-up then cosine, label smoothing 0.1, no augmentation) at 28 px, ${epochs} epochs, batch 128`);
  const started = performance.now();
  const out = cli('train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '28', '--epochs', String(epochs), '--batch-size', '128', '--log-every', '100', '--json');
  const seconds = (performance.now() - started) / 1000;
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  const summary = lines[lines.length - 1];
  for (const e of lines.filter((l) => l.type === 'epoch')) row(`epoch ${e.epoch}: test top-1 / top-5`, `${fmt(e.val_top1 * 100, 2)} % / ${fmt(e.val_top5 * 100, 2)} %`);
  const speeds = lines.filter((l) => l.type === 'step').map((l) => l.imagesPerSec as number).sort((a, b) => a - b);
  row('training images/s (median of logged windows)', fmt(speeds[speeds.length >> 1] ?? 0));
  row('test accuracy (top-1)', `${fmt(summary.top1 * 100, 2)} %  (published 2-conv baselines: 87.6-93.4 %)`);
  row('backend, wall time', `${summary.backend}, ${fmt(seconds / 60, 1)} min`);
}
