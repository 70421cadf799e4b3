/**
 * `npm run device-check -- [--json] [--backends webgpu,wasm]`: for every training backend that
 * loads here, the adapter or device, a gradient check against the CPU backend on a small stack
 * (conv, depthwise conv, batch norm, dense, softmax cross-entropy), and training images/s for
 * the small CNN at 32 px and MobileNetV2 at 96 px (batch 32, timed steps after warm-up;
 * MobileNetV2 is left out where its first step takes over 20 s), beside PyTorch on the CPU when
 * `python3 -c "import torch"` works. Each backend runs in its own process (a failing native
 * backend cannot take the others down).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildModel, type ModelName } from '../src-main/engine/train/models.js';
import { initBackend, tf, type BackendName } from '../src-main/engine/train/tf.js';

const BACKENDS: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
const args = process.argv.slice(2);
const json = args.includes('--json');
const childOf = args.indexOf('--child');

interface Speed { model: ModelName; imageSize: number; batch: number; imagesPerSec: number | null; note?: string }
interface Result { backend: string; ok: boolean; label?: string; adapter?: unknown; error?: string; gradientError?: number; speeds?: Speed[] }

let seed = 11;
const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);

function smallStack(): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [12, 12, 3] });
  let x = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  x = L.batchNormalization({}).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = L.batchNormalization({}).apply(x) as tf.SymbolicTensor;
  x = L.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: L.dense({ units: 4 }).apply(x) as tf.SymbolicTensor });
}

/** All of the stack's gradients, concatenated, on one backend. */
async function gradients(backend: string, weights: Float32Array[], xs: Float32Array): Promise<Float32Array> {
  await tf.setBackend(backend);
  const model = smallStack();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(/moving_variance/.test(model.weights[i]!.name) ? weights[i]!.map((v) => 0.5 + Math.abs(v)) : weights[i]!, w.shape)));
  const grads = tf.tidy(() => {
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
    const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(tf.tensor4d(xs, [4, 12, 12, 3]), { training: true }) as tf.Tensor) as tf.Scalar);
    return tf.concat(Object.keys(g).sort().map((k) => g[k]!.flatten()));
  });
  const out = (await grads.data()) as Float32Array;
  grads.dispose();
  return out;
}

async function gradientCheck(backend: string): Promise<number> {
  await tf.setBackend('cpu');
  const weights = smallStack().getWeights().map((w) => random(w.size));
  const xs = random(4 * 12 * 12 * 3);
  const cpu = await gradients('cpu', weights, xs);
  const other = await gradients(backend, weights, xs);
  let num = 0;
  let den = 0;
  cpu.forEach((v, i) => ((num += (other[i]! - v) ** 2), (den += v * v)));
  return Math.sqrt(num / den);
}

async function speed(backend: string, model: ModelName, imageSize: number, batch: number, firstStepLimitMs: number): Promise<Speed> {
  await tf.setBackend(backend);
  const m = buildModel(model, { classes: 10, imageSize });
  const optimizer = tf.train.rmsprop(0.001);
  const xs = tf.randomNormal([batch, imageSize, imageSize, 3]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    await loss.data();
    loss.dispose();
  };
  try {
    const t0 = performance.now();
    await step();
    if (performance.now() - t0 > firstStepLimitMs) return { model, imageSize, batch, imagesPerSec: null, note: `first step took ${((performance.now() - t0) / 1000).toFixed(0)} s: left out` };
    await step();
    const steps = 5;
    const t1 = performance.now();
    for (let i = 0; i < steps; i++) await step();
    return { model, imageSize, batch, imagesPerSec: (steps * batch) / ((performance.now() - t1) / 1000) };
  } finally {
    tf.dispose([xs, ys]);
    m.dispose();
  }
}

async function child(backend: BackendName): Promise<Result> {
  try {
    const info = await initBackend(backend);
    const gradientError = await gradientCheck(backend);
    const speeds = [await speed(backend, 'small-cnn', 32, 32, 60_000), await speed(backend, 'mobilenet-v2', 96, 32, 20_000)];
    return { backend, ok: true, label: info.label, adapter: info.adapter ?? null, gradientError, speeds };
  } catch (err) {
    return { backend, ok: false, error: (err as Error).message.split('\n')[0] };
  }
}

/** The small CNN in PyTorch (same layers and batch) on the CPU, images/s; null without torch. */
function pytorch(): { imagesPerSec: number; threads: number } | null {
  const script = `
import time, torch, torch.nn as nn
m = nn.Sequential(nn.Conv2d(3,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32,64,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64*8*8,128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128,10))
opt = torch.optim.RMSprop(m.parameters(), lr=1e-3); x = torch.randn(32,3,32,32); y = torch.arange(32) % 10
def step():
    opt.zero_grad(); loss = nn.functional.cross_entropy(m(x), y); loss.backward(); opt.step()
step(); step(); t = time.perf_counter()
for _ in range(20): step()
print(20*32/(time.perf_counter()-t), torch.get_num_threads())`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return null;
  const [ips, threads] = r.stdout.trim().split(/\s+/).map(Number);
  return { imagesPerSec: ips!, threads: threads! };
}

if (childOf >= 0) {
  const result = await child(args[childOf + 1] as BackendName);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  const only = args.includes('--backends') ? args[args.indexOf('--backends') + 1]!.split(',') : BACKENDS;
  const results: Result[] = [];
  for (const b of only) {
    const r = spawnSync(process.execPath, [path.join(import.meta.dirname, '../bin/run-ts.mjs'), import.meta.filename, '--child', b], { encoding: 'utf8', timeout: 600_000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    results.push(line.startsWith('{') ? (JSON.parse(line) as Result) : { backend: b, ok: false, error: `exited ${r.status ?? r.signal}: ${r.stderr.split('\n').filter((l) => l.trim() && !/^=+$|Hi, looks like|tfjs-node for more/.test(l)).pop() ?? ''}` });
    if (!json) {
      const x = results[results.length - 1]!;
      if (!x.ok) console.log(`${b}: not available: ${x.error}`);
      else {
        console.log(`${b}: ${x.label}; gradient vs CPU relative error ${x.gradientError!.toExponential(1)}`);
        for (const s of x.speeds!) console.log(`  ${s.model} ${s.imageSize} px, batch ${s.batch}: ${s.imagesPerSec === null ? s.note : `${s.imagesPerSec.toFixed(1)} images/s`}`);
      }
    }
  }
  const torch = pytorch();
  if (json) process.stdout.write(`${JSON.stringify({ backends: results, pytorch: torch ? { device: 'cpu', model: 'small-cnn', imageSize: 32, batch: 32, ...torch } : null }, null, 2)}\n`);
  else console.log(torch ? `PyTorch (CPU, ${torch.threads} threads): small-cnn 32 px, batch 32: ${torch.imagesPerSec.toFixed(1)} images/s` : 'PyTorch: not installed (python3 -c "import torch" fails)');
}
