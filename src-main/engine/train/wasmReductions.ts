/**
 * Sum and Mean over the leading axes of a float32 tensor (the per-channel reductions of batch
 * normalization and of a broadcast's gradient: NHWC reduced over N, H and W) as a loop over the
 * WASM backend's memory. The backend's own kernels transpose the reduced axes to the end first:
 * 9.5 ms for one [64, 28, 28, 32] sum, 19 ms of a 290 ms step of a two-convolution network with
 * batch normalization. Other reductions go to the backend's kernels unchanged.
 */
// tf.ts is the one TensorFlow.js importer; it imports this module through wasmKernels.ts, and tf is only used inside functions, so the cycle is harmless
import { tf } from './tf.js';
import type { WasmMemory } from './wasmMaxPoolGrad.js';

/** How many leading axes a reduction over `axis` folds (all of them when `axis` is absent), or undefined when they are not a leading run. */
export function leadingAxes(rank: number, axis: number | number[] | undefined | null): number | undefined {
  if (axis === undefined || axis === null) return rank;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  return axes.length > 0 && axes.every((a, i) => a === i) ? axes.length : undefined;
}

/** out[c] = scale * sum over rows r of x[r * columns + c], accumulated in double precision (four rows a pass: 2.4x faster) */
export function sumRows(x: Float32Array, rows: number, columns: number, out: Float32Array, scale: number): void {
  const acc = new Float64Array(columns);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * columns;
    const b1 = b0 + columns;
    const b2 = b1 + columns;
    const b3 = b2 + columns;
    for (let c = 0; c < columns; c++) acc[c]! += x[b0 + c]! + x[b1 + c]! + (x[b2 + c]! + x[b3 + c]!);
  }
  for (; r < rows; r++) for (let c = 0, b0 = r * columns; c < columns; c++) acc[c]! += x[b0 + c]!;
  for (let c = 0; c < columns; c++) out[c] = acc[c]! * scale;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function leadingReduction(original: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as { axis?: number | number[]; keepDims?: boolean };
      const folded = leadingAxes(x.shape.length, axis);
      if (x.dtype !== 'float32' || folded === undefined || product(x.shape.slice(0, folded)) < 2) return original.kernelFunc(args);
      const rows = product(x.shape.slice(0, folded));
      const memory = args.backend as unknown as WasmMemory;
      const out = memory.makeOutput(keepDims ? x.shape.map((d, i) => (i < folded ? 1 : d)) : x.shape.slice(folded), 'float32');
      // views taken after the allocation: growing the heap would detach earlier ones
      sumRows(memory.typedArrayFromHeap(x), rows, product(x.shape.slice(folded)), memory.typedArrayFromHeap(out), mean ? 1 / rows : 1);
      return out;
    },
  };
}

/** Puts the leading-axes loops in front of the backend's Sum and Mean. */
export function registerWasmReductions(): void {
  for (const [name, mean] of [['Sum', false], ['Mean', true]] as const) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(leadingReduction(original, mean));
  }
}
