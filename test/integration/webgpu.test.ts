/**
 * The WebGPU backend, on Debian chromium's software Vulkan driver (SwiftShader) since this
 * machine has no GPU: a small stack's forward and backward pass against the CPU backend, a
 * tiny `shiwake train --backend webgpu` run whose loss falls and whose saved model classifies
 * on WebGPU, and automatic selection refusing the software adapter.
 * SwiftShader compiles every shader on the CPU, so inputs stay tiny.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoadedModel } from '../../src-main/engine/predict/inference.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { swiftshaderPresent } from '../fixtures/swiftshader.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();
const present = swiftshaderPresent;

let seed = 7;
const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);

/** conv -> batch norm -> relu6 -> depthwise conv (stride 2) -> batch norm -> relu -> 1x1 conv -> global pool -> dense: the pieces of the three models. */
function smallStack(): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [10, 10, 3] });
  let x = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'conv' }).apply(input) as tf.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn2' }).apply(x) as tf.SymbolicTensor;
  x = L.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 6, kernelSize: 1, name: 'pw' }).apply(x) as tf.SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = L.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: L.dense({ units: 4, name: 'dense' }).apply(x) as tf.SymbolicTensor });
}

/** Loss, inference logits and every weight's gradient (softmax cross-entropy, batch norm in training mode) on one backend, from the same weights and inputs. */
async function pass(backend: string, weights: { data: Float32Array; shape: number[] }[], xs: Float32Array, labels: number[]) {
  await tf.setBackend(backend);
  const model = smallStack();
  model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
  const r = tf.tidy(() => {
    const x = tf.tensor4d(xs, [labels.length, 10, 10, 3]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    return { value, logits: model.predict(x) as tf.Tensor, grads };
  });
  const grads: Record<string, Float32Array> = {};
  // async reads: WebGPU has no synchronous read in Node
  for (const [name, g] of Object.entries(r.grads)) grads[name.replace(/_\d+$/, '')] = (await g.data()) as Float32Array;
  const out = { loss: (await r.value.data())[0]!, logits: (await r.logits.data()) as Float32Array, grads };
  tf.dispose([r.value, r.logits, ...Object.values(r.grads)]);
  model.dispose();
  return out;
}

const norm = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const diff = (a: Float32Array, b: Float32Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe.runIf(present)('the WebGPU backend (SwiftShader)', () => {
  beforeAll(async () => {
    const info = await initBackend('webgpu');
    expect(info).toMatchObject({ name: 'webgpu', adapter: { api: 'Vulkan', software: true } });
    expect(info.label).toMatch(/^WebGPU \(google swiftshader.*Vulkan, software\)$/);
  });

  it('matches the CPU backend forward and backward on conv, depthwise conv, batch norm, relu6, pooling, dense and softmax cross-entropy (relative error < 1e-3)', async () => {
    await tf.setBackend('cpu');
    // random weights; moving variances must stay positive
    const model = smallStack();
    const weights = model.getWeights().map((w, i) => ({ data: /moving_variance/.test(model.weights[i]!.name) ? random(w.size).map((v) => 0.5 + Math.abs(v)) : random(w.size), shape: w.shape }));
    const xs = random(3 * 10 * 10 * 3);
    const cpu = await pass('cpu', weights, xs, [0, 2, 3]);
    const gpu = await pass('webgpu', weights, xs, [0, 2, 3]);
    expect(Math.abs(gpu.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-3);
    expect(diff(gpu.logits, cpu.logits) / norm(cpu.logits)).toBeLessThan(1e-3);
    expect(Object.keys(gpu.grads).sort()).toEqual(Object.keys(cpu.grads).sort());
    expect(Object.keys(cpu.grads)).toHaveLength(10); // conv, 2 x (gamma, beta), depthwise, pointwise kernel+bias, dense kernel+bias
    // each gradient against the largest one: a gradient that is ~0 by construction (a batch norm's beta feeding another batch norm) has no scale of its own
    const scale = Math.max(...Object.values(cpu.grads).map(norm));
    for (const [name, g] of Object.entries(cpu.grads)) expect(diff(gpu.grads[name]!, g) / scale, name).toBeLessThan(1e-3);
  });

  it('trains with `shiwake train --backend webgpu` to a falling loss, saves, and the saved model classifies on WebGPU', async () => {
    const root = path.join(tmp, 'data');
    for (const [k, name] of ['Dark', 'Light'].entries()) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      for (let i = 0; i < 8; i++) await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40 + k * 170 + i, g: 40 + k * 170, b: 40 + k * 170 } } }).png().toFile(path.join(root, name, `${i}.png`));
    }
    const projectDir = path.join(tmp, 'project');
    shiwakeJson(['import', root, '--project', projectDir]);
    shiwakeJson(['split', '--project', projectDir, '--validation', '0.25']);
    const r = shiwake(['train', '--project', projectDir, '--model', 'small-cnn', '--image-size', '8', '--batch-size', '6', '--epochs', '2', '--learning-rate', '0.003', '--log-every', '1', '--seed', '1', '--backend', 'webgpu', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'start', backend: expect.stringMatching(/^WebGPU \(.*swiftshader/) });
    const losses = lines.filter((l) => l.type === 'step').map((l) => l.loss as number);
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! * 0.8);
    const summary = lines[lines.length - 1];
    expect(summary).toMatchObject({ state: 'done', backend: expect.stringMatching(/WebGPU/) });
    expect(fs.existsSync(path.join(summary.model_dir, 'model.json'))).toBe(true);

    const model = await LoadedModel.load(summary.model_dir, 'webgpu');
    expect(model.backend.name).toBe('webgpu');
    const scored = await model.predict([{ file: path.join(root, 'Light', '0.png'), format: null }, { file: path.join(root, 'Dark', '0.png'), format: null }]);
    expect(scored).toHaveLength(2);
    for (const s of scored) {
      if (!('probs' in s)) throw new Error(s.error);
      expect(s.probs.reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    }
  }, 300_000); // SwiftShader compiles each shader on the CPU: most of this is the first step

  it('is never chosen automatically on a software adapter: doctor names it and why it was skipped', () => {
    const report = shiwakeJson(['doctor']);
    expect(report.backend).not.toBe('webgpu');
    expect(report.skipped).toContainEqual({ backend: 'webgpu', reason: expect.stringMatching(/^only a software adapter \(google swiftshader.*Vulkan, software\)/) });
  });
});
