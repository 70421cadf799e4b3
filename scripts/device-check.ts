/**
 * `npm run device-check -- [--json] [--backends webgpu,wasm]`: for every training backend that
 * loads here, the adapter or device, a gradient check against the CPU backend on a small stack
 * (conv, depthwise conv, batch norm, dense, softmax cross-entropy), and training images/s for
 * the small CNN at 32 px, MobileNetV2 at 96 and 224 px and Inception-v3 at 299 px (batch 32, a
 * few timed steps after warm-up; a model whose first step takes over a minute on a CPU backend
 * is left out), beside PyTorch with the same architectures and batch on the CPU and, where it
 * has one, the CUDA GPU, when `python3 -c "import torch"` works (torchvision for the two large
 * models). Each backend runs in its own process (a failing native backend cannot take the
 * others down). `npm run device-bundle` packs it, with Node.js, for a machine that has neither
 * Node.js nor a registry (scripts/device-bundle.ts); bundled, it finds its WASM files beside it.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { buildModel, type ModelName } from '../src-main/engine/train/models.js';
import { initBackend, tf, type BackendName } from '../src-main/engine/train/tf.js';

const BACKENDS: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
/** true in the device bundle (one .mjs file beside its WASM binaries), false under tsx */
const BUNDLED = !import.meta.filename.endsWith('.ts');
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

/** The models timed, as the issue asks: [model, image size]. */
const TIMED: [ModelName, number][] = [['small-cnn', 32], ['mobilenet-v2', 96], ['mobilenet-v2', 224], ['inception-v3', 299]];

/** A child's work: the backend's check (`--child b`), or one model's speed (`--child b --model m --size s --limit ms`). */
async function child(backend: BackendName, timed: { model: ModelName; size: number; limitMs: number } | null): Promise<Result | Speed> {
  try {
    if (BUNDLED) (await import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(`${import.meta.dirname}/`);
    const info = await initBackend(backend);
    if (timed) return await speed(backend, timed.model, timed.size, 32, timed.limitMs);
    const gradientError = await gradientCheck(backend);
    return { backend, ok: true, label: info.label, adapter: info.adapter ?? null, gradientError, speeds: [] };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    // emscripten's abort: the WASM heap (4 GiB at most) cannot hold the step
    return { backend, ok: false, error: /^Aborted\(/.test(message) ? `the WASM heap ran out (${message})` : message };
  }
}

const self = BUNDLED ? [import.meta.filename] : [path.join(import.meta.dirname, '../bin/run-ts.mjs'), import.meta.filename];

/** Runs a child and returns its last JSON line, or null with why (a timeout kills it: a step that never ends is not waited for). */
function runChild(args: string[], timeoutMs: number): { value: unknown } | { why: string } {
  const r = spawnSync(process.execPath, [...self, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (line.startsWith('{')) return { value: JSON.parse(line) };
  if (r.error && /ETIMEDOUT/.test(r.error.message)) return { why: `did not finish within ${Math.round(timeoutMs / 1000)} s` };
  return { why: `exited ${r.status ?? r.signal}: ${r.stderr.split('\n').filter((l) => l.trim() && !/^=+$|Hi, looks like|tfjs-node for more/.test(l)).pop() ?? ''}` };
}

/** A backend's check, then each model's speed in a process of its own, killed past its limit (a software adapter can take an hour over one Inception step). */
function checkBackend(b: BackendName): Result {
  const checked = runChild(['--child', b], 600_000);
  if ('why' in checked) return { backend: b, ok: false, error: checked.why };
  const result = checked.value as Result;
  if (!result.ok) return result;
  const software = (result.adapter as { software?: boolean } | null)?.software !== false;
  const onGpu = b === 'tensorflow-gpu' || (b === 'webgpu' && !software); // a software adapter is a CPU
  const limitMs = onGpu ? 300_000 : 60_000;
  for (const [model, size] of TIMED) {
    // start-up, the first step (up to the limit), a warm-up and five timed steps
    const timed = runChild(['--child', b, '--model', model, '--size', String(size), '--limit', String(limitMs)], 120_000 + limitMs * 8);
    const failed = 'why' in timed ? timed.why : (timed.value as Result).ok === false ? (timed.value as Result).error : null;
    result.speeds!.push(failed !== null ? { model, imageSize: size, batch: 32, imagesPerSec: null, note: failed } : ((timed as { value: Speed }).value));
  }
  return result;
}

interface TorchSpeed { model: ModelName; imageSize: number; batch: number; device: 'cpu' | 'cuda'; threads?: number; imagesPerSec: number | null; note?: string }

/** The PyTorch reference script: beside the bundle, or in the repository's benchmarks. */
const TORCH_SCRIPT = BUNDLED ? path.join(import.meta.dirname, 'torch_train.py') : path.join(import.meta.dirname, '../test/bench/torch_train.py');

/** The same models in PyTorch, on the CPU (every core) and on CUDA where torch sees a GPU; null without torch. */
function pytorch(): TorchSpeed[] | null {
  const probe = spawnSync('python3', ['-c', 'import torch; print(int(torch.cuda.is_available()))'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.status !== 0) return null;
  const devices: TorchSpeed['device'][] = probe.stdout.trim() === '1' ? ['cuda', 'cpu'] : ['cpu'];
  const speeds: TorchSpeed[] = [];
  for (const device of devices) {
    for (const [model, imageSize] of TIMED) {
      const steps = device === 'cuda' ? 20 : model === 'small-cnn' ? 20 : 3;
      const r = spawnSync('python3', [TORCH_SCRIPT, model, String(imageSize), '32', String(steps), String(os.availableParallelism()), device], { encoding: 'utf8', timeout: 600_000 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status === 0 && line.startsWith('{')) {
        const out = JSON.parse(line) as { images_per_sec: number; threads: number };
        speeds.push({ model, imageSize, batch: 32, device, threads: out.threads, imagesPerSec: out.images_per_sec });
      } else speeds.push({ model, imageSize, batch: 32, device, imagesPerSec: null, note: (r.stderr.trim().split('\n').pop() ?? r.error?.message ?? 'failed').slice(0, 200) });
    }
  }
  return speeds;
}

const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

if (childOf >= 0) {
  const model = option('--model') as ModelName | undefined;
  const result = await child(args[childOf + 1] as BackendName, model ? { model, size: Number(option('--size')), limitMs: Number(option('--limit')) } : null);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  const only = (option('--backends')?.split(',') ?? BACKENDS) as BackendName[];
  const results: Result[] = [];
  for (const b of only) {
    const x = checkBackend(b);
    results.push(x);
    if (json) continue;
    if (!x.ok) console.log(`${b}: not available: ${x.error}`);
    else {
      console.log(`${b}: ${x.label}; gradient vs CPU relative error ${x.gradientError!.toExponential(1)}`);
      for (const s of x.speeds!) console.log(`  ${s.model} ${s.imageSize} px, batch ${s.batch}: ${s.imagesPerSec === null ? s.note : `${s.imagesPerSec.toFixed(1)} images/s`}`);
    }
  }
  const torch = pytorch();
  if (json) process.stdout.write(`${JSON.stringify({ backends: results, pytorch: torch }, null, 2)}\n`);
  else if (!torch) console.log('PyTorch: not installed (python3 -c "import torch" fails)');
  else for (const t of torch) console.log(`PyTorch ${t.device === 'cuda' ? 'CUDA' : `CPU, ${t.threads ?? '?'} threads`}: ${t.model} ${t.imageSize} px, batch ${t.batch}: ${t.imagesPerSec === null ? `not measured (${t.note})` : `${t.imagesPerSec.toFixed(1)} images/s`}`);
}
