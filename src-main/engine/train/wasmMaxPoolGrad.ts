/**
 * MaxPoolGrad for the WASM backend, as a loop over the backend's own memory: the backend's
 * kernel took 31-44 ms of a 150 ms small-CNN step (batch 64, 28 px); this one reads each input
 * once. The gradient goes to the first largest value of each window in row-major order (ties:
 * the first, as the CPU backend and TensorFlow do; a window of NaN or -Infinity only: nowhere).
 */
// tf.ts is the one TensorFlow.js importer; it imports this module through wasmKernels.ts, and tf is only used inside functions, so the cycle is harmless
import { tf } from './tf.js';

/** the part of the WASM backend a kernel uses to write its output in place */
export interface WasmMemory {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

/** dx (zeroed, NHWC) += dy routed to each window's first maximum of x */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, info: PoolInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  let g = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++, g += channels) {
        const left = ow * strideWidth - padInfo.left;
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = Math.max(top, top + dilationHeight * Math.ceil(-top / dilationHeight)); r < Math.min(inHeight, top + effectiveFilterHeight); r += dilationHeight) {
          for (let c = Math.max(left, left + dilationWidth * Math.ceil(-left / dilationWidth)); c < Math.min(inWidth, left + effectiveFilterWidth); c += dilationWidth) {
            const base = ((n * inHeight + r) * inWidth + c) * channels;
            for (let k = 0; k < channels; k++) {
              const v = x[base + k]!;
              if (v > best[k]!) {
                best[k] = v;
                at[k] = base + k;
              }
            }
          }
        }
        for (let k = 0; k < channels; k++) {
          const i = at[k]!;
          if (i >= 0) dx[i] = dx[i]! + dy[g + k]!;
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as { filterSize: [number, number] | number; strides: [number, number] | number; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const memory = backend as unknown as WasmMemory;
    const dx = memory.makeOutput(input.shape, 'float32');
    // views taken after the allocation: growing the heap would detach earlier ones
    const out = memory.typedArrayFromHeap(dx);
    out.fill(0);
    maxPoolBackprop(memory.typedArrayFromHeap(input), memory.typedArrayFromHeap(dy), out, info);
    return dx;
  },
};
