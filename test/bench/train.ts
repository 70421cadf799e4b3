/**
 * Training throughput: the small CNN at 32x32 and MobileNetV2 at 96x96, batch 32, on the
 * WASM backend (with Shiwake's gradient kernels) on one thread and data-parallel over N
 * worker threads (N = the cores), and on plain JavaScript, beside PyTorch on the CPU
 * (Debian's python3-torch) training the same architecture with 1 and N threads in the same
 * run. Synthetic images, so only the model's compute is measured.
 * Each figure is the median of `runs` repeats (`--runs`, default 3), taken in turns: PyTorch's
 * figures for one short run varied threefold here from one run to the next.
 * SHIWAKE_BENCH_TRAIN_QUICK=1: fewer steps, no plain JavaScript.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel, type ModelName } from '../../src-main/engine/train/models.js';
import { ParallelTrainer } from '../../src-main/engine/train/parallel/pool.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';
import { fmt, median, REPO, row } from './util.js';

const BATCH = 32;
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** images/s by the clock, and images per CPU-second (all the process's threads): on a shared machine the clock says little, CPU time more */
interface Throughput {
  wall: number;
  perCpu: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function jsImagesPerSec(backend: 'wasm' | 'cpu', name: ModelName, size: number, steps: number, warmup: number, batch = BATCH): Promise<Throughput> {
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
  const cpu = cpuSeconds();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t) / 1000;
  const cpuUsed = cpuSeconds() - cpu;
  model.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys]);
  return { wall: (batch * steps) / seconds, perCpu: (batch * steps) / cpuUsed };
}

/** The trainer's data-parallel step over `workers` threads; also the share of the step spent in the trainer's thread. */
async function parallelImagesPerSec(name: ModelName, size: number, steps: number, warmup: number, workers: number): Promise<Throughput & { trainerShare: number; parts: string }> {
  await tf.setBackend('wasm');
  const model = buildModel(name, { classes: 10, imageSize: size });
  const optimizer = tf.train.adam(0.001);
  const pool = await ParallelTrainer.start(model, 'wasm', workers, BATCH);
  const xs = Float32Array.from({ length: BATCH * size * size * 3 }, () => Math.random() * 2 - 1);
  const batch = { xs, labels: Int32Array.from({ length: BATCH }, (_, i) => i % 10), size: BATCH };
  for (let i = 0; i < warmup; i++) await pool.step(optimizer, batch, 10, 0.1, 5);
  Object.assign(pool.timing, { trainerMs: 0, workersMs: 0, weightsOutMs: 0, sumMs: 0, applyMs: 0, steps: 0 });
  const t = performance.now();
  const cpu = cpuSeconds();
  for (let i = 0; i < steps; i++) await pool.step(optimizer, batch, 10, 0.1, 5);
  const ms = performance.now() - t;
  const cpuUsed = cpuSeconds() - cpu;
  const trainerShare = pool.timing.trainerMs / ms;
  const per = (x: number): string => fmt(x / steps, 1);
  const parts = `per step ${per(ms)} ms: workers ${per(pool.timing.workersMs)}, weights out ${per(pool.timing.weightsOutMs)}, sum + moving statistics in ${per(pool.timing.sumMs)}, optimizer ${per(pool.timing.applyMs)}`;
  await pool.close();
  model.dispose();
  optimizer.dispose();
  return { wall: (BATCH * steps * 1000) / ms, perCpu: (BATCH * steps) / cpuUsed, trainerShare, parts };
}

function torchImagesPerSec(name: ModelName, size: number, steps: number, threads: number): Throughput | undefined {
  const r = spawnSync(PYTHON, [path.join(REPO, 'test/bench/torch_train.py'), name, String(size), String(BATCH), String(steps), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const out = JSON.parse(r.stdout.trim()) as { images_per_sec: number; images_per_cpu_sec: number };
  return { wall: out.images_per_sec, perCpu: out.images_per_cpu_sec };
}

/** The median of each field over the repeats. */
function medianOf<T extends Throughput>(xs: T[]): T {
  const mid = [...xs].sort((a, b) => a.wall - b.wall)[Math.floor((xs.length - 1) / 2)]!;
  return { ...mid, wall: median(xs.map((x) => x.wall)), perCpu: median(xs.map((x) => x.perCpu)) };
}

export async function benchTrain(runs = 3): Promise<void> {
  const info = await initBackend('wasm');
  const haveTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const quick = process.env.SHIWAKE_BENCH_TRAIN_QUICK === '1';
  const n = os.availableParallelism();
  const load = (): string => os.loadavg().map((l) => fmt(l, 2)).join(' ');
  console.log(`\ntrain: images/s, batch ${BATCH}, synthetic images, medians of ${runs} runs taken in turns, load average ${load()} on ${n} cores at the start; ${info.label} on 1 thread and on ${n} worker threads vs${quick ? '' : ' plain JS vs'} PyTorch CPU with 1 and ${n} threads${haveTorch ? '' : ' (PyTorch missing: apt-get install python3-torch)'}`);
  // plain JS is 200-600x slower: it gets a smaller batch (one step of 32 MobileNetV2 images takes 13 minutes)
  const cases: [ModelName, number, number, number][] = [
    ['small-cnn', 32, quick ? 8 : 20, 8],
    ['mobilenet-v2', 96, quick ? 3 : 5, 2],
  ];
  for (const [name, size, wasmSteps, jsBatch] of cases) {
    const samples = { wasm: [] as Throughput[], parallel: [] as Awaited<ReturnType<typeof parallelImagesPerSec>>[], torch1: [] as Throughput[], torchN: [] as Throughput[] };
    for (let r = 0; r < runs; r++) {
      samples.wasm.push(await jsImagesPerSec('wasm', name, size, wasmSteps, 2));
      if (n > 1) samples.parallel.push(await parallelImagesPerSec(name, size, wasmSteps, 2, n));
      const t1 = haveTorch ? torchImagesPerSec(name, size, wasmSteps, 1) : undefined;
      const tN = haveTorch && n > 1 ? torchImagesPerSec(name, size, wasmSteps, n) : undefined;
      if (t1) samples.torch1.push(t1);
      if (tN) samples.torchN.push(tN);
    }
    const wasm = medianOf(samples.wasm);
    const parallel = samples.parallel.length ? medianOf(samples.parallel) : undefined;
    const torch1 = samples.torch1.length ? medianOf(samples.torch1) : undefined;
    const torchN = samples.torchN.length ? medianOf(samples.torchN) : undefined;
    const both = (x: Throughput): string => `${fmt(x.wall, 1)} images/s, ${fmt(x.perCpu, 1)} per CPU-second`;
    row(`${name} ${size}px: WASM, 1 thread`, both(wasm));
    if (parallel) row(`${name} ${size}px: WASM, ${n} worker threads`, `${both(parallel)}  (${fmt(parallel.wall / wasm.wall, 2)}x one thread by the clock; ${fmt(parallel.trainerShare * 100, 0)}% of a step in the trainer's thread)`);
    if (parallel) row(`${name} ${size}px: where a ${n}-worker step goes`, parallel.parts);
    if (!quick) {
      const js = await jsImagesPerSec('cpu', name, size, 1, 0, jsBatch);
      row(`${name} ${size}px: plain JS (one step of ${jsBatch})`, `${fmt(js.wall, 2)} images/s  (WASM / JS = ${fmt(wasm.wall / js.wall, 0)}x)`);
    }
    if (torch1) {
      const ratio = (a: Throughput, b: Throughput): string => `${fmt(a.wall / b.wall, 2)} by the clock, ${fmt(a.perCpu / b.perCpu, 2)} per CPU-second`;
      row(`${name} ${size}px: PyTorch CPU, 1 thread`, both(torch1));
      if (torchN) row(`${name} ${size}px: PyTorch CPU, ${n} threads`, both(torchN));
      row(`${name} ${size}px: ratio WASM / PyTorch, 1 thread`, ratio(wasm, torch1));
      if (parallel && torchN) row(`${name} ${size}px: ratio WASM / PyTorch, ${n} threads`, ratio(parallel, torchN));
    }
  }
  row('load average at the end', load());
}
