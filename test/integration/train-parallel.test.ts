/**
 * Data-parallel training over worker threads (issue 11, "every CPU core"): two workers take
 * the same steps as one thread on the same global batch, and the CLI trains with --workers.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../src-main/engine/project.js';
import { startTrainer } from '../../src-main/engine/train/runner.js';
import type { TrainEvent } from '../../src-main/shared/training.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { noisySolid } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { buildModel } from '../../src-main/engine/train/models.js';
import { ParallelTrainer, split } from '../../src-main/engine/train/parallel/pool.js';
import { evalLoss, stepLoss, topKHits } from '../../src-main/engine/train/parallel/loss.js';
import { resolveWorkers } from '../../src-main/engine/train/parallel/layout.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';
import { rng } from '../../src-main/shared/random.js';

const SIZE = 16;
const CLASSES = 4;

function batchOf(seed: number, size: number): { xs: Float32Array; labels: Int32Array; size: number } {
  const random = rng(seed);
  const xs = Float32Array.from({ length: size * SIZE * SIZE * 3 }, () => random() * 2 - 1);
  const labels = Int32Array.from({ length: size }, () => Math.floor(random() * CLASSES));
  return { xs, labels, size };
}

function twins(): [tf.LayersModel, tf.LayersModel] {
  // no dropout: its masks are random in every thread, so the steps could not match
  const a = buildModel('small-cnn', { classes: CLASSES, imageSize: SIZE, dropout: 0 });
  const b = buildModel('small-cnn', { classes: CLASSES, imageSize: SIZE, dropout: 0 });
  // seeded starting weights (uniform within Glorot's limit for the fan-in), so the comparison is
  // the same every run: an unseeded start now and then gives a weight a gradient near zero,
  // where Adam turns rounding noise into a step of the whole learning rate (seen once in CI)
  const random = rng(29);
  const start = a.getWeights().map((w) => {
    const fanIn = w.shape.slice(0, -1).reduce((x, y) => x * y, 1);
    const limit = w.shape.length > 1 ? Math.sqrt(3 / fanIn) : 0;
    return tf.tensor(Float32Array.from({ length: w.size }, () => (random() * 2 - 1) * limit), w.shape);
  });
  a.setWeights(start);
  b.setWeights(start);
  tf.dispose(start);
  return [a, b];
}

function singleStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: { xs: Float32Array; labels: Int32Array; size: number }): number {
  return tf.tidy(() => {
    const xs = tf.tensor4d(batch.xs, [batch.size, SIZE, SIZE, 3]);
    const ys = tf.tensor1d(batch.labels, 'int32');
    return optimizer.minimize(() => stepLoss(model, xs, ys, CLASSES, 0.1).loss, true)!.dataSync()[0]!;
  });
}

/** The largest difference between the two models' weights, relative to the largest weight. */
function maxDifference(a: tf.Tensor[], b: tf.Tensor[]): { abs: number; scale: number } {
  let abs = 0;
  let scale = 0;
  a.forEach((w, i) => {
    const x = w.dataSync();
    const y = b[i]!.dataSync();
    for (let j = 0; j < x.length; j++) {
      abs = Math.max(abs, Math.abs(x[j]! - y[j]!));
      scale = Math.max(scale, Math.abs(x[j]!));
    }
  });
  return { abs, scale };
}

describe('data-parallel training', () => {
  let pool: ParallelTrainer | undefined;
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => pool?.close());

  it('splits a batch into near-equal parts, never an empty one', () => {
    expect(split(10, 3)).toEqual([{ row: 0, rows: 4 }, { row: 4, rows: 3 }, { row: 7, rows: 3 }]);
    expect(split(2, 4)).toEqual([{ row: 0, rows: 1 }, { row: 1, rows: 1 }]);
  });

  it('refuses several workers on a GPU backend, defaults to one there, and to one per 16 examples of the batch on the CPU', () => {
    expect(() => resolveWorkers(2, 'webgpu', 64)).toThrow(/--workers 2 is for the CPU backends.*webgpu/);
    expect(resolveWorkers(undefined, 'webgpu', 64)).toBe(1);
    expect(resolveWorkers(3, 'wasm', 8)).toBe(3);
    expect(resolveWorkers(undefined, 'wasm', 8)).toBe(1);
    expect(resolveWorkers(undefined, 'wasm', 4096)).toBe(os.availableParallelism());
  });

  it('evaluates a batch over 2 workers as one thread does (inference mode: loss and top-k hits)', async () => {
    const model = buildModel('small-cnn', { classes: CLASSES, imageSize: SIZE });
    const batch = batchOf(9, 11);
    const { loss, logits } = tf.tidy(() => evalLoss(model, tf.tensor4d(batch.xs, [11, SIZE, SIZE, 3]), tf.tensor1d(batch.labels, 'int32'), CLASSES));
    const expected = { loss: loss.dataSync()[0]!, ...(await topKHits(logits, batch.labels, 2)) };
    const evalPool = await ParallelTrainer.start(model, 'wasm', 2, 11);
    try {
      const got = await evalPool.evaluate(batch, CLASSES, 2);
      expect(got.loss).toBeCloseTo(expected.loss, 5);
      expect({ top1: got.top1, top5: got.top5 }).toEqual({ top1: expected.top1, top5: expected.top5 });
    } finally {
      await evalPool.close();
    }
  }, 60_000);

  it('says why when a worker cannot start its backend', async () => {
    let nativeInstalled = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    } catch {
      nativeInstalled = false;
    }
    if (nativeInstalled) return console.log('skipped: @tensorflow/tfjs-node is installed, so its workers start');
    const [model] = twins();
    await expect(ParallelTrainer.start(model, 'tensorflow', 2, 4)).rejects.toThrow(/^a training worker failed to start: the tensorflow backend is not available here: @tensorflow\/tfjs-node is not installed/);
  }, 60_000);

  // float32 sums taken in a different order (per part, then across parts) differ in the last bits.
  // SGD: after 4 steps the weights agree to 1e-5 of the largest weight (measured: about 1e-7).
  // Adam divides each gradient by its own running size, so a weight whose gradient is near zero
  // moves by up to a whole learning rate on rounding noise alone: there the bound is 1% of the
  // learning rate per step (4e-5 after 4 steps at the default 0.001; measured: about 3e-6)
  it.each([
    ['SGD + momentum', () => tf.train.momentum(0.05, 0.9), (abs: number, scale: number) => abs / scale < 1e-5],
    ['Adam', () => tf.train.adam(0.001), (abs: number) => abs < 0.01 * 0.001 * 4],
  ])('gives the same weights with 2 workers as with 1 thread on the same global batch (small CNN without dropout, %s)', async (name, makeOptimizer, close) => {
    const [single, parallel] = twins();
    const o1 = makeOptimizer();
    const o2 = makeOptimizer();
    const initial = single.getWeights().map((w) => w.clone());
    pool = await ParallelTrainer.start(parallel, 'wasm', 2, 12);
    for (let s = 0; s < 4; s++) {
      // 11 rows: the two parts differ in size (6 and 5), so the weighting by share is tested too
      const batch = batchOf(100 + s, 11);
      const l1 = singleStep(single, o1, batch);
      const stats = await pool.step(o2, batch, CLASSES, 0.1, 2);
      expect(Math.abs(stats.loss - l1), `loss ${stats.loss} vs ${l1}`).toBeLessThan(1e-5 * Math.max(1, l1));
    }
    const { abs, scale } = maxDifference(single.getWeights(), parallel.getWeights());
    console.log(`${name}, 2 workers vs 1 thread after 4 steps: largest weight difference ${abs.toExponential(2)} (${(abs / scale).toExponential(2)} of the largest weight)`);
    expect(close(abs, scale), `difference ${abs} (scale ${scale})`).toBe(true);
    // and the weights did move: the comparison is not between two untouched models
    expect(maxDifference(initial, single.getWeights()).abs).toBeGreaterThan(1e-3);
    await pool.close();
    pool = undefined;
  }, 120_000);
});

describe('data-parallel training with BatchNorm', () => {
  // only the first BatchNorm layer sees the same inputs in both: deeper ones see activations
  // normalised with each part's own statistics, so there the figures differ by design
  it("keeps the first BatchNorm layer's moving mean as one thread does (averaged by share), and a variance no larger", async () => {
    await initBackend('wasm');
    const single = buildModel('mobilenet-v2', { classes: CLASSES, imageSize: SIZE * 2, alpha: 0.35, dropout: 0 });
    const parallel = buildModel('mobilenet-v2', { classes: CLASSES, imageSize: SIZE * 2, alpha: 0.35, dropout: 0 });
    parallel.setWeights(single.getWeights());
    const random = rng(7);
    const rows = 6;
    const batch = { xs: Float32Array.from({ length: rows * (SIZE * 2) ** 2 * 3 }, () => random() * 2 - 1), labels: Int32Array.from({ length: rows }, (_, i) => i % CLASSES), size: rows };
    const o1 = tf.train.momentum(0.01, 0.9);
    tf.tidy(() => {
      const xs = tf.tensor4d(batch.xs, [rows, SIZE * 2, SIZE * 2, 3]);
      o1.minimize(() => stepLoss(single, xs, tf.tensor1d(batch.labels, 'int32'), CLASSES, 0.1).loss);
    });
    const pool = await ParallelTrainer.start(parallel, 'wasm', 2, rows);
    try {
      await pool.step(tf.train.momentum(0.01, 0.9), batch, CLASSES, 0.1, 2);
    } finally {
      await pool.close();
    }
    const stat = (m: tf.LayersModel, kind: string) => Array.from(m.getLayer('stem_bn').weights.find((w) => w.name.includes(kind))!.read().dataSync());
    const [m1, m2] = [stat(single, 'moving_mean'), stat(parallel, 'moving_mean')];
    // the moving mean moved (momentum 0.999: by a thousandth of the batch mean) and agrees
    expect(m1.some((v) => v !== 0)).toBe(true);
    for (const [j, v] of m1.entries()) expect(Math.abs(v - m2[j]!)).toBeLessThan(1e-7 + 1e-4 * Math.abs(v));
    // the variance of each half misses the spread between the halves' means: never larger
    const [v1, v2] = [stat(single, 'moving_variance'), stat(parallel, 'moving_variance')];
    expect(v2.every((v, i) => v <= v1[i]! + 1e-7)).toBe(true);
    expect(v2.some((v, i) => v < v1[i]! - 1e-7)).toBe(true);
  }, 180_000);
});

describe('shiwake train --workers', () => {
  const tmp = tempDir();
  const projectDir = path.join(tmp, 'project');
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (const [name, rgb] of [['red', [200, 40, 40]], ['green', [40, 200, 40]], ['blue', [40, 40, 200]]] as const) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(root, name, `${i}.png`), await noisySolid(rgb, i));
    }
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25']);
  });

  it('trains on 2 worker threads, says so, and ends with the JSON summary line', () => {
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '16', '--batch-size', '9', '--epochs', '3', '--log-every', '1', '--learning-rate', '0.003', '--workers', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'start', workers: 2, backend: expect.stringMatching(/^WASM .*, 2 worker threads$/) });
    const steps = lines.filter((l) => l.type === 'step');
    expect(steps.length).toBe(lines[0].totalSteps);
    expect(steps.every((s) => Number.isFinite(s.loss) && s.imagesPerSec > 0)).toBe(true);
    // validation ran on the workers too: solid colours, three classes
    expect(lines[lines.length - 1]).toMatchObject({ state: 'done', backend: expect.stringMatching(/2 worker threads/), top1: expect.any(Number), top5: 1 });
    expect(lines.filter((l) => l.type === 'epoch').every((e) => e.val_loss > 0 && e.val_top1 >= 0)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(lines[lines.length - 1].model_dir, 'training.json'), 'utf8'))).toMatchObject({ workers: 2 });
  }, 300_000);

  it('stops at a checkpoint and resumes from the same step with 2 workers', async () => {
    const project = Project.open(projectDir);
    const first = startTrainer(project, { model: 'small-cnn', imageSize: 16, batchSize: 9, epochs: 3, logEvery: 1, seed: 5, workers: 2 }, (e) => e.type === 'step' && e.step === 3 && first.stop());
    expect(await first.finished).toMatchObject({ type: 'done', state: 'stopped' });
    const state = JSON.parse(fs.readFileSync(path.join(projectDir, 'runs', first.run, 'checkpoint', 'state.json'), 'utf8'));
    const resumed: TrainEvent[] = [];
    const done = await startTrainer(project, { model: 'small-cnn' }, (e) => resumed.push(e), first.run).finished;
    expect(done).toMatchObject({ type: 'done', state: 'done' });
    expect(resumed.find((e) => e.type === 'start')).toMatchObject({ resumedAt: state.step, workers: 2 });
    const steps = resumed.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step').map((e) => e.step);
    expect(steps[0]).toBe(state.step + 1);
    project.close();
  }, 300_000);

  it('refuses a worker count that is not a whole number, naming the option', () => {
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--workers', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--workers/);
  });
});
