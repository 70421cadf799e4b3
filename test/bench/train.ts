/**
 * Training throughput: the small CNN at 32x32 and MobileNetV2 at 96x96, batch 32, on the
 * WASM backend (with Shiwake's gradient kernels) and on plain JavaScript, beside PyTorch on
 * the CPU (Debian's python3-torch) training the same architecture in the same run.
 * Synthetic images, so only the model's compute is measured.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildModel, type ModelName } from '../../src-main/engine/train/models.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';
import { fmt, REPO, row } from './util.js';

const BATCH = 32;
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function jsImagesPerSec(backend: 'wasm' | 'cpu', name: ModelName, size: number, steps: number, warmup: number, batch = BATCH): Promise<number> {
  await tf.setBackend(backend);
  const model = buildModel(name, { classes: 10, imageSize: size });
  const optimizer = tf.train.adam(0.001);
  const xs = tf.randomNormal([batch, size, size, 3]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const step = (): void => {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor, undefined, 0.1) as tf.Scalar, true)!.dataSync();
    });
  };
  for (let i = 0; i < warmup; i++) step();
  const t = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t) / 1000;
  model.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys]);
  return (batch * steps) / seconds;
}

function torchImagesPerSec(name: ModelName, size: number, steps: number, threads: number): number | undefined {
  const r = spawnSync(PYTHON, [path.join(REPO, 'test/bench/torch_train.py'), name, String(size), String(BATCH), String(steps), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim()).images_per_sec as number;
}

export async function benchTrain(): Promise<void> {
  const info = await initBackend('wasm');
  const haveTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  console.log(`\ntrain: images/s, batch ${BATCH}, synthetic images; ${info.label} vs plain JS vs PyTorch CPU${haveTorch ? '' : ' (PyTorch missing: apt-get install python3-torch)'}`);
  // plain JS is 200-600x slower: it gets a smaller batch (one step of 32 MobileNetV2 images takes 13 minutes)
  const cases: [ModelName, number, number, number][] = [
    ['small-cnn', 32, 20, 8],
    ['mobilenet-v2', 96, 5, 2],
  ];
  for (const [name, size, wasmSteps, jsBatch] of cases) {
    const wasm = await jsImagesPerSec('wasm', name, size, wasmSteps, 2);
    const js = await jsImagesPerSec('cpu', name, size, 1, 0, jsBatch);
    const torch1 = haveTorch ? torchImagesPerSec(name, size, wasmSteps, 1) : undefined;
    const torch2 = haveTorch ? torchImagesPerSec(name, size, wasmSteps, 2) : undefined;
    row(`${name} ${size}px: WASM (1 thread)`, `${fmt(wasm, 1)} images/s`);
    row(`${name} ${size}px: plain JS (one step of ${jsBatch})`, `${fmt(js, 2)} images/s  (WASM / JS = ${fmt(wasm / js, 0)}x)`);
    if (torch1 && torch2) {
      row(`${name} ${size}px: PyTorch CPU, 1 / 2 threads`, `${fmt(torch1, 1)} / ${fmt(torch2, 1)} images/s`);
      row(`${name} ${size}px: ratio WASM / PyTorch (1 thread, 2 threads)`, `${fmt(wasm / torch1, 2)}, ${fmt(wasm / torch2, 2)}`);
    }
  }
}
