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

/**
 * dx (zeroed, NHWC) += dy routed to each window's first maximum of x. Per window, the offsets of
 * its taps inside the image are listed once; then each channel scans them in row-major order with
 * its best value in a local (a 2x2 window is four loads a channel, and nothing is reset per window).
 */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, info: PoolInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  const taps = new Int32Array(effectiveFilterHeight * effectiveFilterWidth);
  let g = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++, g += channels) {
        const left = ow * strideWidth - padInfo.left;
        let count = 0;
        for (let r = Math.max(top, top + dilationHeight * Math.ceil(-top / dilationHeight)); r < Math.min(inHeight, top + effectiveFilterHeight); r += dilationHeight) {
          for (let c = Math.max(left, left + dilationWidth * Math.ceil(-left / dilationWidth)); c < Math.min(inWidth, left + effectiveFilterWidth); c += dilationWidth) {
            taps[count++] = ((n * inHeight + r) * inWidth + c) * channels;
          }
        }
        if (count === 4) route4(x, dy, dx, taps[0]!, taps[1]!, taps[2]!, taps[3]!, g, channels);
        else routeAny(x, dy, dx, taps, count, g, channels);
      }
    }
  }
}

/** one window of four taps (2x2, the usual pool), unrolled */
function route4(x: Float32Array, dy: Float32Array, dx: Float32Array, t0: number, t1: number, t2: number, t3: number, g: number, channels: number): void {
  for (let k = 0; k < channels; k++) {
    // strictly greater: the first maximum wins, NaN never does
    let best = -Infinity;
    let at = -1;
    let v = x[t0 + k]!;
    if (v > best) {
      best = v;
      at = t0 + k;
    }
    v = x[t1 + k]!;
    if (v > best) {
      best = v;
      at = t1 + k;
    }
    v = x[t2 + k]!;
    if (v > best) {
      best = v;
      at = t2 + k;
    }
    if (x[t3 + k]! > best) at = t3 + k;
    if (at >= 0) dx[at] = dx[at]! + dy[g + k]!;
  }
}

function routeAny(x: Float32Array, dy: Float32Array, dx: Float32Array, taps: Int32Array, count: number, g: number, channels: number): void {
  for (let k = 0; k < channels; k++) {
    let best = -Infinity;
    let at = -1;
    for (let t = 0; t < count; t++) {
      const v = x[taps[t]! + k]!;
      if (v > best) {
        best = v;
        at = taps[t]! + k;
      }
    }
    if (at >= 0) dx[at] = dx[at]! + dy[g + k]!;
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
