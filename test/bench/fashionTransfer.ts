/**
 * Transfer learning on Fashion-MNIST with a backbone the benchmark trains itself (no
 * downloads): the small CNN learns the five garment classes (T-shirt/top, Trouser, Pullover,
 * Dress, Coat), then its convolutions are reused for the other five (Sandal, Shirt, Sneaker,
 * Bag, Ankle boot) three ways, all in the same run on the same images: frozen with the head on
 * cached features, frozen with the head trained through the backbone on every step (the
 * reference the cache is measured against: same images, no augmentation), and fine-tuning the
 * backbone's last 2 layers (with the small CNN's default: no augmentation). Train images train,
 * test images evaluate; each run's wall time includes its process start and model load.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FASHION_MNIST_CLASSES, fashionMnistInstalled, writeFashionMnistFolder } from '../../scripts/fashion-mnist.js';
import { Project } from '../../src-main/engine/project.js';
import { benchDir, fmt, REPO, row } from './util.js';

const SOURCE = FASHION_MNIST_CLASSES.slice(0, 5);
const TARGET = FASHION_MNIST_CLASSES.slice(5);

interface Timed {
  lines: { at: number; e: Record<string, any> }[];
  seconds: number;
}

/** `shiwake train ... --json`, each JSON line stamped with the seconds since the start. */
function train(args: string[]): Promise<Timed> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'train', ...args, '--log-every', '100', '--json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Timed['lines'] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) lines.push({ at: (performance.now() - started) / 1000, e: JSON.parse(line) });
    }
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve({ lines, seconds: (performance.now() - started) / 1000 }) : reject(new Error(`shiwake train ${args.join(' ')} exited ${code}`)))),
  );
}

/** A project of `classes` from the folder (through a path,label manifest), split as the published files are. */
async function imported(root: string, dir: string, classes: string[]): Promise<string> {
  if (fs.existsSync(path.join(dir, '.ready'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = `${dir}.csv`;
  const rows = classes.flatMap((c) => fs.readdirSync(path.join(root, c)).map((f) => `${path.join(root, c, f)},${c}`));
  fs.writeFileSync(manifest, `path,label\n${rows.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/shiwake.mjs'), 'import', root, '--project', dir, '--manifest', manifest, '--json'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shiwake import --manifest ${manifest} exited ${code}`))));
  });
  const p = Project.open(dir);
  const items = p.db.prepare('SELECT id, path FROM items').all() as { id: number; path: string }[];
  p.plan.setSplits(new Map(items.map((i) => [i.id, path.basename(i.path).startsWith('test-') ? 'validation' : 'train'])));
  p.meta.set('split_settings', JSON.stringify({ source: 'Fashion-MNIST train/test files' }));
  p.close();
  fs.writeFileSync(path.join(dir, '.ready'), '');
  return dir;
}

/** `perClass`: at most this many train (and test) images per class; absent: all (6,000 and 1,000). */
export async function benchFashionTransfer(epochs: number, perClass?: number): Promise<void> {
  if (!fashionMnistInstalled()) return console.log('\nfashion transfer: skipped (apt-get install dataset-fashion-mnist)');
  const base = benchDir(`fashion-transfer-${perClass ?? 'all'}`);
  const root = path.join(base, 'fashion-mnist');
  if (!fs.existsSync(path.join(root, '.complete'))) {
    fs.rmSync(root, { recursive: true, force: true });
    await writeFashionMnistFolder({ out: root, limitPerClass: perClass });
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  const source = await imported(root, path.join(base, 'source'), SOURCE);
  const target = await imported(root, path.join(base, 'target'), TARGET);
  const n = perClass ? `${fmt(perClass * 5)} + ${fmt(perClass * 5)}` : '30,000 + 30,000';
  console.log(`\nfashion transfer: a small CNN trained on ${SOURCE.join(', ')} (${epochs} epochs) as the backbone for ${TARGET.join(', ')}; ${n} train images, 28 px, batch 64, ${epochs} epochs each`);
  const common = ['--model', 'small-cnn', '--image-size', '28', '--epochs', String(epochs), '--batch-size', '64', '--seed', '1'];
  const backbone = await train(['--project', source, ...common]);
  const model = backbone.lines.at(-1)!.e;
  row('backbone (5 garment classes): test top-1, wall', `${fmt(model.top1 * 100, 2)} %, ${fmt(backbone.seconds, 1)} s`);

  const runs: [string, string[]][] = [
    ['frozen, head on cached features', ['--cache-features']],
    ['frozen, head through the backbone (no cache)', ['--augment', 'none']],
    ['fine-tuning the last 2 backbone layers', ['--fine-tune-layers', '2']],
  ];
  const walls: number[] = [];
  for (const [label, extra] of runs) {
    const r = await train(['--project', target, ...common, '--backbone', model.model_dir, ...extra]);
    const summary = r.lines.at(-1)!.e;
    const pass = r.lines.filter((l) => l.e.type === 'features').at(-1);
    const epochsAt = r.lines.filter((l) => l.e.type === 'epoch').map((l) => l.at);
    const perEpoch = epochsAt.length > 1 ? (epochsAt.at(-1)! - epochsAt[0]!) / (epochsAt.length - 1) : null;
    const speeds = r.lines.filter((l) => l.e.type === 'step').map((l) => l.e.imagesPerSec as number).sort((a, b) => a - b);
    walls.push(r.seconds);
    row(`${label}: test top-1, wall`, `${fmt(summary.top1 * 100, 2)} %, ${fmt(r.seconds, 1)} s${pass ? ` (features of ${fmt(pass.e.total)} images ready at ${fmt(pass.at, 1)} s, ${fmt(pass.e.imagesPerSec)} images/s on one thread)` : ''}${perEpoch !== null ? `, ${fmt(perEpoch, 2)} s per epoch after the first` : ''}${!pass && speeds.length ? `, ${fmt(speeds[speeds.length >> 1]!)} images/s training (${summary.backend})` : ''}`);
  }
  row('wall time: no cache / cached, fine-tuned / cached', `${fmt(walls[1]! / walls[0]!, 1)} x, ${fmt(walls[2]! / walls[0]!, 1)} x`);
}
