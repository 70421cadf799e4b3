/**
 * Transfer learning on cached features (issue 13), on WASM with a backbone this file trains
 * itself (a small CNN saved in TF.js format): the head trained on the backbone's cached
 * features is the head an uncached run trains through the frozen backbone on the same images
 * (no augmentation, no head dropout, same seed: within 1e-4 per weight, float32 sums in
 * another order); a stopped cached run resumes from the features kept in its folder to the
 * same head; the saved model is backbone + head and classifies; every output says the mode;
 * the CLI refuses the combinations that cannot work, naming the options, before a run exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../src-main/engine/project.js';
import { buildModel } from '../../src-main/engine/train/models.js';
import { loadModel, saveModel } from '../../src-main/engine/train/modelIO.js';
import { startTrainer } from '../../src-main/engine/train/runner.js';
import { initBackend } from '../../src-main/engine/train/tf.js';
import type { TrainEvent, TrainOptions } from '../../src-main/shared/training.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { writePatterns } from '../fixtures/patterns.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const root = path.join(tmp, 'data');
const projectDir = path.join(tmp, 'project');
const backboneDir = path.join(tmp, 'backbone');
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await writePatterns(root, 'Across', 'across', 10, 0);
  await writePatterns(root, 'Down', 'down', 10, 20);
  await writePatterns(root, 'Centre', 'centre', 10, 40);
  shiwakeJson(['import', root, '--project', projectDir]);
  shiwakeJson(['split', '--project', projectDir, '--validation', '0.3', '--seed', '4']);
  // an untrained small CNN is a fine backbone for equality: its convolutions still give features
  await initBackend('wasm');
  await saveModel(buildModel('small-cnn', { classes: 5, imageSize: 16 }), backboneDir);
}, 120_000);

const common: TrainOptions = { model: 'small-cnn', backbone: backboneDir, batchSize: 8, epochs: 4, seed: 3, logEvery: 1, headDropout: 0, augment: 'none', workers: 1, backend: 'wasm', learningRate: 0.01 };

async function trainRun(options: TrainOptions, stopAtStep?: number, resume?: string): Promise<{ run: string; events: TrainEvent[] }> {
  const project = Project.open(projectDir);
  const events: TrainEvent[] = [];
  try {
    const handle = startTrainer(project, options, (e) => {
      events.push(e);
      if (stopAtStep !== undefined && e.type === 'step' && e.step === stopAtStep) handle.stop();
    }, resume);
    const last = await handle.finished;
    expect(last.type, JSON.stringify(last)).toBe('done');
    return { run: handle.run, events };
  } finally {
    project.close();
  }
}

async function weights(run: string): Promise<Record<string, Float32Array>> {
  const model = await loadModel(path.join(projectDir, 'runs', run, 'model'));
  return Object.fromEntries(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

function maxDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const [name, x] of Object.entries(a)) x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[name]![i]!))));
  return worst;
}

describe('a head trained on cached backbone features', () => {
  let cachedRun: string;

  it('equals the head trained through the frozen backbone on the same images, and says its mode everywhere', async () => {
    const cached = await trainRun({ ...common, cacheFeatures: true });
    const plain = await trainRun(common);
    cachedRun = cached.run;
    const start = cached.events.find((e) => e.type === 'start');
    expect(start).toMatchObject({ mode: 'frozen backbone, head on cached features', workers: 1, note: expect.stringMatching(/no augmentation/) });
    expect(plain.events.find((e) => e.type === 'start')).toMatchObject({ mode: 'frozen backbone' });
    const pass = cached.events.filter((e) => e.type === 'features');
    expect(pass.at(-1)).toMatchObject({ done: 30, total: 30 });
    expect(plain.events.some((e) => e.type === 'features')).toBe(false);
    expect(cached.events.at(-1)).toMatchObject({ type: 'done', mode: 'frozen backbone, head on cached features' });

    const [a, b] = [await weights(cached.run), await weights(plain.run)];
    const head = (w: Record<string, Float32Array>) => Object.fromEntries(Object.entries(w).filter(([n]) => n.startsWith('head_logits')));
    expect(Object.keys(head(a))).toHaveLength(2); // kernel and bias
    // the head moved (so the equality says something) ...
    const untrained = (await loadModel(backboneDir)).weights.map((w) => w.originalName);
    expect(untrained.every((n) => !n.startsWith('head_'))).toBe(true);
    expect(Math.max(...Object.values(head(a)).map((w) => Math.max(...w.map(Math.abs))))).toBeGreaterThan(0.01);
    // ... to the same place, and the saved model is the whole frozen backbone + that head
    expect(maxDiff(head(a), head(b))).toBeLessThan(TOLERANCE);
    expect(maxDiff(a, b)).toBeLessThan(TOLERANCE);
    const valTop1 = (events: TrainEvent[]) => events.filter((e) => e.type === 'epoch').map((e) => (e as { val_top1: number }).val_top1);
    expect(valTop1(cached.events)).toEqual(valTop1(plain.events));

    const training = JSON.parse(fs.readFileSync(path.join(projectDir, 'runs', cached.run, 'model', 'training.json'), 'utf8'));
    expect(training).toMatchObject({ mode: 'frozen backbone, head on cached features', options: { cacheFeatures: true, augment: 'none' } });
    // its predictions see whole images, as its training and validation features did
    expect(JSON.parse(fs.readFileSync(path.join(projectDir, 'runs', cached.run, 'model', 'preprocessing.json'), 'utf8'))).toMatchObject({ evalCrop: 1 });
    // a finished run resumes no more: its cache is gone
    expect(fs.existsSync(path.join(projectDir, 'runs', cached.run, 'features'))).toBe(false);
  }, 300_000);

  it('resumes a stopped run from the features kept in its folder, to the same head', async () => {
    const first = await trainRun({ ...common, cacheFeatures: true }, 2);
    expect(first.events.at(-1)).toMatchObject({ type: 'done', state: 'stopped' });
    expect(fs.existsSync(path.join(projectDir, 'runs', first.run, 'features', 'features.json'))).toBe(true);
    const resumed = await trainRun({ model: 'small-cnn' }, undefined, first.run);
    expect(resumed.events.some((e) => e.type === 'features')).toBe(false); // read back, not computed again
    const start = resumed.events.find((e) => e.type === 'start') as Extract<TrainEvent, { type: 'start' }>;
    expect(start).toMatchObject({ mode: 'frozen backbone, head on cached features' });
    // the stop lands at the next step the trainer sees it (a head step takes milliseconds: 12 steps leave room)
    expect(start.resumedAt).toBeGreaterThanOrEqual(2);
    expect(start.resumedAt).toBeLessThan(start.totalSteps);
    expect(maxDiff(await weights(resumed.run), await weights(cachedRun))).toBeLessThan(TOLERANCE);
  }, 300_000);

  it('trains from the command line, whose last JSON line says the mode, and its model classifies', () => {
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--backbone', backboneDir, '--cache-features', '--epochs', '1', '--batch-size', '8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'start', mode: 'frozen backbone, head on cached features' });
    expect(lines.some((l) => l.type === 'features')).toBe(true);
    const last = lines.at(-1);
    expect(last).toMatchObject({ state: 'done', mode: 'frozen backbone, head on cached features', batch_size: 8, effective_batch: 8, level: null });
    const classified = shiwakeJson(['classify', '--project', projectDir, '--run', last.run, path.join(root, 'Down', '0.png')]);
    expect(JSON.stringify(classified)).toMatch(/Across|Down|Centre/);
  }, 300_000);

  it('refuses --cache-features where the features would change, naming the options, before a run exists', () => {
    const runs = (): number => {
      const project = Project.open(projectDir);
      try {
        return project.runs.all().length;
      } finally {
        project.close();
      }
    };
    const before = runs();
    const base = ['train', '--project', projectDir, '--model', 'small-cnn', '--cache-features'];
    const cases: [string[], RegExp][] = [
      [['--backbone', backboneDir, '--fine-tune-layers', '2'], /--cache-features needs a frozen backbone: it cannot go with --fine-tune-layers 2/],
      [['--backbone', backboneDir, '--augment', 'light'], /--cache-features .* cannot go with --augment light \(use --augment none or leave it out\)/],
      [[], /--cache-features needs --backbone/],
    ];
    for (const [extra, message] of cases) {
      const r = shiwake([...base, ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    // the same check guards the engine, which the studio calls
    const project = Project.open(projectDir);
    try {
      expect(() => startTrainer(project, { ...common, cacheFeatures: true, fineTuneLayers: 1 }, () => {})).toThrow(/--fine-tune-layers 1/);
    } finally {
      project.close();
    }
    expect(runs()).toBe(before);
  }, 120_000);
});


