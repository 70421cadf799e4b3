/**
 * Shiwake's WASM gradient kernels against the CPU backend's own, on fresh random inputs,
 * for the strides, paddings, dilations and channel multipliers the models use. The thin inputs
 * (Ci x KH x KW up to 48: 3x3 over 3 or 4 channels, 1x7) take the patches path of wasmIm2col.ts,
 * the 5x5 over 2 channels the composed correlation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src-main/engine/train/tf.js';
import { registerWasmGradientKernels } from '../../src-main/engine/train/wasmKernels.js';
import { relativeError } from '../fixtures/relativeError.js';

type Case = { x: [number, number, number, number]; k: [number, number]; stride: number; pad: 'same' | 'valid'; out?: number; mult?: number; dilation?: number };

const convCases: Case[] = [
  { x: [2, 9, 9, 3], k: [3, 3], stride: 1, pad: 'same', out: 4 },
  { x: [2, 9, 9, 3], k: [3, 3], stride: 2, pad: 'same', out: 5 },
  { x: [2, 10, 8, 4], k: [3, 3], stride: 2, pad: 'valid', out: 6 },
  { x: [1, 11, 11, 2], k: [5, 5], stride: 2, pad: 'valid', out: 3 },
  { x: [2, 7, 7, 3], k: [1, 1], stride: 1, pad: 'same', out: 8 },
  { x: [2, 12, 12, 3], k: [1, 7], stride: 1, pad: 'same', out: 4 },
  { x: [2, 12, 12, 3], k: [7, 1], stride: 1, pad: 'same', out: 4 },
  { x: [1, 35, 35, 3], k: [3, 3], stride: 2, pad: 'valid', out: 4 },
];
const depthwiseCases: Case[] = [
  { x: [2, 9, 9, 4], k: [3, 3], stride: 1, pad: 'same' },
  { x: [2, 9, 9, 4], k: [3, 3], stride: 2, pad: 'same' },
  { x: [2, 10, 10, 3], k: [3, 3], stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], k: [3, 3], stride: 1, pad: 'same', mult: 2 },
  { x: [1, 13, 13, 2], k: [5, 5], stride: 2, pad: 'same' },
];

let seed = 1;
const random = (shape: number[]): Float32Array => Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);

async function gradsOn(backend: string, fn: (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor, xs: Float32Array, xShape: number[], fs: Float32Array, fShape: number[]) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
    const f = tf.tensor4d(fs, fShape as [number, number, number, number]);
    // a random projection of the output, so every output position has its own weight
    const [gx, gf] = tf.grads((a, b) => {
      const y = fn(a as tf.Tensor4D, b as tf.Tensor4D);
      return tf.sum(tf.mul(y, tf.tensor(random(y.shape), y.shape)));
    })([x, f]);
    return [gx!.dataSync().slice() as Float32Array, gf!.dataSync().slice() as Float32Array];
  });
}

async function compare(fn: (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor, xShape: number[], fShape: number[]): Promise<number[]> {
  const xs = random(xShape);
  const fs = random(fShape);
  const s = seed;
  const cpu = await gradsOn('cpu', fn, xs, xShape, fs, fShape);
  seed = s; // the same projection on both backends
  const wasm = await gradsOn('wasm', fn, xs, xShape, fs, fShape);
  return [relativeError(wasm[0]!, cpu[0]!), relativeError(wasm[1]!, cpu[1]!)];
}

describe('WASM gradient kernels match the CPU backend (relative error < 1e-4)', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmGradientKernels();
    await tf.setBackend('wasm');
  });

  for (const c of convCases) {
    it(`conv2d ${c.x.join('x')} kernel ${c.k.join('x')} stride ${c.stride} ${c.pad}`, async () => {
      const errors = await compare((x, f) => tf.conv2d(x, f, c.stride, c.pad), c.x, [...c.k, c.x[3], c.out!]);
      for (const e of errors) expect(e).toBeLessThan(1e-4);
    });
  }
  for (const c of depthwiseCases) {
    const d = c.dilation ?? 1;
    it(`depthwiseConv2d ${c.x.join('x')} kernel ${c.k.join('x')} stride ${c.stride} ${c.pad} multiplier ${c.mult ?? 1} dilation ${d}`, async () => {
      const errors = await compare((x, f) => tf.depthwiseConv2d(x, f, c.stride, c.pad, 'NHWC', d), c.x, [...c.k, c.x[3], c.mult ?? 1]);
      for (const e of errors) expect(e).toBeLessThan(1e-4);
    });
  }

  // max pooling's gradient: with ties on purpose (values rounded to tenths: equal maxima in a window), the first one takes it
  for (const [shape, size, stride, pad] of [[[2, 8, 8, 3], 2, 2, 'valid'], [[2, 7, 7, 4], 3, 2, 'same'], [[1, 9, 9, 2], 3, 1, 'same'], [[2, 6, 5, 3], 2, 1, 'valid']] as [number[], number, number, 'same' | 'valid'][]) {
    it(`maxPool ${shape.join('x')} window ${size} stride ${stride} ${pad}, with ties`, async () => {
      const xs = random(shape).map((v) => Math.round(v * 10) / 10);
      const dys = random(shape); // longer than dy: a prefix is used
      const grad = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(xs, shape as [number, number, number, number]);
          const g = tf.grad((a: tf.Tensor) => {
            const y = tf.maxPool(a as tf.Tensor4D, size, stride, pad);
            return tf.sum(tf.mul(y, tf.tensor(dys.subarray(0, y.size), y.shape)));
          })(x);
          return g.dataSync().slice() as Float32Array;
        });
      };
      const cpu = await grad('cpu');
      expect(relativeError(await grad('wasm'), cpu)).toBeLessThan(1e-6);
    });
  }

  for (const [aShape, bShape, ta, tb] of [[[7, 5], [7, 3], true, false], [[4, 6], [3, 6], false, true], [[5, 4], [3, 5], true, true], [[2, 6, 4], [2, 6, 3], true, false], [[2, 4, 6], [2, 3, 6], false, true], [[3, 8], [40, 8], false, true], [[2, 3, 8], [2, 40, 8], false, true]] as [number[], number[], boolean, boolean][]) {
    it(`matMul ${aShape.join('x')}${ta ? '^T' : ''} by ${bShape.join('x')}${tb ? '^T' : ''} (transposed first, or a small A times a large B^T as (B A^T)^T)`, async () => {
      const as = random(aShape);
      const bs = random(bShape);
      const product = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => tf.matMul(tf.tensor(as, aShape), tf.tensor(bs, bShape), ta, tb).dataSync().slice() as Float32Array);
      };
      const cpu = await product('cpu');
      expect(relativeError(await product('wasm'), cpu)).toBeLessThan(1e-5);
    });
  }

  it('a dense layer\'s gradients (transposed products) match the CPU backend, and leave no tensors behind', async () => {
    const errors = await compare((x, f) => tf.matMul(tf.reshape(x, [6, 12]), tf.reshape(f, [12, 5])), [6, 2, 2, 3], [3, 4, 1, 5]);
    for (const e of errors) expect(e).toBeLessThan(1e-5);
    await tf.setBackend('wasm');
    const a = tf.randomNormal([8, 12]);
    const b = tf.randomNormal([12, 5]);
    const step = () => tf.tidy(() => tf.grads((x, y) => tf.sum(tf.matMul(x!, y!)))([a, b]).forEach((g) => g.dataSync()));
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it('Sum and Mean over leading axes (the loops over memory) and over other axes (the backend) match the CPU backend', async () => {
    const shape = [3, 5, 4, 6];
    const values = random(shape);
    const cases: { axis: number | number[]; keepDims: boolean }[] = [
      { axis: [0, 1, 2], keepDims: false },
      { axis: [2, 1, 0], keepDims: true },
      { axis: 0, keepDims: false },
      { axis: [0, 1, 2, 3], keepDims: false },
      { axis: [-4, -3], keepDims: true },
      { axis: [1, 2], keepDims: false },
      { axis: 3, keepDims: true },
    ];
    for (const { axis, keepDims } of cases) {
      for (const op of [tf.sum, tf.mean]) {
        const on = async (backend: string) => {
          await tf.setBackend(backend);
          return tf.tidy(() => {
            const y = op(tf.tensor(values, shape), axis, keepDims);
            return { shape: y.shape, values: y.dataSync().slice() as Float32Array };
          });
        };
        const cpu = await on('cpu');
        const wasm = await on('wasm');
        expect(wasm.shape, `${op.name} ${JSON.stringify(axis)}`).toEqual(cpu.shape);
        expect(relativeError(wasm.values, cpu.values), `${op.name} ${JSON.stringify(axis)}`).toBeLessThan(1e-6);
      }
    }
    await tf.setBackend('wasm');
    // integers keep the backend's own kernel
    expect(Array.from(tf.sum(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 0).dataSync())).toEqual([4, 6]);
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a, b) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]).forEach((g) => g.dataSync()));
    step();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
