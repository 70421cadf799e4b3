/**
 * The filter gradient of a convolution over a thin input (an image's 3 channels) as one matrix
 * product: the input's patches, laid out one row per filter tap ([KH * KW * Ci, N * Ho * Wo],
 * built by a loop over the WASM backend's memory), times the output gradient ([N * Ho * Wo,
 * Co]). The composed correlation in wasmKernels.ts runs such a layer through XNNPACK with the
 * whole output gradient as a 28x28 "filter": 10.8 ms for the first layer of the small CNN at
 * batch 32, 3.6 ms for the same layer's forward pass.
 */
// tf.ts is the one TensorFlow.js importer; it imports this module through wasmKernels.ts, and tf is only used inside functions, so the cycle is harmless
import { tf } from './tf.js';
import type { WasmMemory } from './wasmMaxPoolGrad.js';

const KERNEL = 'ShiwakeTransposedPatches';

/** the largest Ci * KH * KW whose filter gradient goes through the patches */
export const THIN_PATCH_ROWS = 48;

export interface PatchGeometry {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** top and left padding */
  pad: [number, number];
  outSize: [number, number];
}

/** out[((kh * KW + kw) * Ci + ci) * rows + (n * Ho + oh) * Wo + ow] = x[n, oh * sh - pt + kh * dh, ow * sw - pl + kw * dw, ci], or 0 outside x */
export function transposedPatches(x: Float32Array, shape: readonly number[], g: PatchGeometry, out: Float32Array): void {
  const [n, h, w, ci] = shape as [number, number, number, number];
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [ho, wo] = g.outSize;
  const rows = n * ho * wo;
  let t = 0;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let c = 0; c < ci; c++, t++) {
        let o = t * rows;
        for (let img = 0; img < n; img++) {
          for (let oh = 0; oh < ho; oh++) {
            const ih = oh * sh - g.pad[0] + a * dh;
            if (ih < 0 || ih >= h) {
              out.fill(0, o, o + wo);
              o += wo;
              continue;
            }
            const rowBase = (img * h + ih) * w;
            for (let ow = 0; ow < wo; ow++, o++) {
              const iw = ow * sw - g.pad[1] + b * dw;
              out[o] = iw >= 0 && iw < w ? x[(rowBase + iw) * ci + c]! : 0;
            }
          }
        }
      }
    }
  }
}

const patchesConfig: tf.KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const g = attrs as unknown as PatchGeometry;
    const memory = backend as unknown as WasmMemory;
    const out = memory.makeOutput([g.kernel[0] * g.kernel[1] * x.shape[3]!, x.shape[0]! * g.outSize[0] * g.outSize[1]], 'float32');
    // views taken after the allocation: growing the heap would detach earlier ones
    transposedPatches(memory.typedArrayFromHeap(x), x.shape, g, memory.typedArrayFromHeap(out));
    return out;
  },
};

/** dW [KH, KW, Ci, Co] = patches^T [KH * KW * Ci, N * Ho * Wo] x dy [N * Ho * Wo, Co] */
export function thinFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, g: PatchGeometry): tf.Tensor4D {
  const patches = tf.engine().runKernel(KERNEL, { x }, g as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  const [n, ho, wo, co] = dy.shape;
  return tf.reshape(tf.matMul(patches, tf.reshape(dy, [n * ho * wo, co])), [g.kernel[0], g.kernel[1], x.shape[3], co]);
}

let registered = false;

export function registerWasmPatches(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel(patchesConfig);
}
