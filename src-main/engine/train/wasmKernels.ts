/**
 * The gradient kernels the WASM backend lacks, composed from ops it has, so that
 * convolutional models train on it:
 *
 * - Conv2DBackpropFilter: the filter gradient is a convolution of the input (batch and
 *   channels swapped) with the output gradient as the filter, dilated by the stride.
 * - DepthwiseConv2dNativeBackpropFilter: the same per channel, as one depthwise convolution
 *   over batch x channels, summed over the batch.
 * - DepthwiseConv2dNativeBackpropInput: a depthwise convolution of the output gradient,
 *   dilated by the stride, with the spatially flipped filter.
 * - Conv2DBackpropInput exists in the backend but as a plain loop; the same composition
 *   through XNNPACK's convolution replaces it.
 *
 * - MaxPoolGrad runs a slow loop in the backend; wasmMaxPoolGrad.ts replaces it with one that
 *   reads each input once.
 *
 * - BatchMatMul with a transposed operand runs a plain loop in the backend (a 2048x256 by
 *   256x1000 product: 4.3 s with transposeA, 1.7 s with transposeB, 0.12 s with neither):
 *   every dense layer's gradient has one. The operand is transposed first (a copy), then the
 *   XNNPACK path multiplies.
 *
 * Channels-last only (what tfjs-layers uses). Checked against the CPU backend in the tests.
 */
// tf.ts is the one TensorFlow.js importer; it imports this module to register the kernels, and tf is only used inside functions, so the cycle is harmless
import { tf } from './tf.js';
import { maxPoolGradConfig } from './wasmMaxPoolGrad.js';
import { registerWasmBatchNorm } from './wasmBatchNorm.js';
import { registerWasmPatches, THIN_PATCH_ROWS, thinFilterGradient } from './wasmIm2col.js';
import { registerWasmReductions } from './wasmReductions.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = [number, number];

const pair = (v: number | number[] | undefined, fallback = 1): Pair => (v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0]!, v[1] ?? v[0]!]);

/** Top/left padding of a forward convolution, as TensorFlow computes it. */
function forwardPadding(pad: Pad, inSize: Pair, outSize: Pair, kernel: Pair, strides: Pair, dilations: Pair): Pair {
  if (pad === 'valid') return [0, 0];
  if (typeof pad === 'number') return [pad, pad];
  if (Array.isArray(pad)) return [pad[1][0], pad[2][0]];
  return [0, 1].map((i) => {
    const effective = (kernel[i]! - 1) * dilations[i]! + 1;
    const total = Math.max(0, (outSize[i]! - 1) * strides[i]! + effective - inSize[i]!);
    return Math.floor(total / 2);
  }) as Pair;
}

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  // each step only where needed: the backend's Slice copies element by element, as slow as a convolution at 28 px
  const padded = top > 0 || bottom > 0 || left > 0 || right > 0 ? tf.pad(t, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]) : t;
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return padded;
  const [n, h, w, c] = padded.shape;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  return tf.slice(padded, [0, cropTop, cropLeft, 0], [n, h - cropTop - Math.max(0, -bottom), w - cropLeft - Math.max(0, -right), c]);
}

/** Inserts stride-1 zeros between the rows and columns of an NHWC tensor. */
function dilateSpatial(t: tf.Tensor4D, strides: Pair): tf.Tensor4D {
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const spread = tf.pad(tf.reshape(t, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [n, h * sh, w * sw, c]), [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** Filter gradient of conv2d / depthwiseConv2d: correlate x with dy (dilated by the stride), then cut to the kernel. */
function spatialCorrelation(
  x: tf.Tensor4D, // [batch', H, W, channels']
  kernel: Pair,
  outSize: Pair,
  pad: Pad,
  strides: Pair,
  dilations: Pair,
  correlate: (input: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const inSize: Pair = [x.shape[1], x.shape[2]];
  const [pt, pl] = forwardPadding(pad, inSize, outSize, kernel, strides, dilations);
  // the correlation must produce (kernel - 1) * dilation + 1 positions on each axis
  const need: Pair = [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1];
  const used: Pair = [(outSize[0] - 1) * strides[0] + 1, (outSize[1] - 1) * strides[1] + 1];
  const input = padOrCrop(x, pt, need[0] + used[0] - 1 - inSize[0] - pt, pl, need[1] + used[1] - 1 - inSize[1] - pl);
  const out = correlate(input);
  if (dilations[0] === 1 && dilations[1] === 1) return out;
  const [a, , , d] = out.shape;
  return tf.stridedSlice(out, [0, 0, 0, 0], [a, need[0], need[1], d], [1, dilations[0], dilations[1], 1]) as tf.Tensor4D;
}

function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Record<string, unknown>): tf.Tensor4D {
  const filterShape = attrs.filterShape as [number, number, number, number];
  const strides = pair(attrs.strides as number | number[]);
  const kernel: Pair = [filterShape[0], filterShape[1]];
  const outSize: Pair = [dy.shape[1], dy.shape[2]];
  if (filterShape[0] * filterShape[1] * filterShape[2] <= THIN_PATCH_ROWS) {
    const pad = forwardPadding(attrs.pad as Pad, [x.shape[1], x.shape[2]], outSize, kernel, strides, [1, 1]);
    return thinFilterGradient(x, dy, { kernel, strides, dilations: [1, 1], pad, outSize });
  }
  const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]: the filter
  const out = spatialCorrelation(xT, kernel, outSize, attrs.pad as Pad, strides, [1, 1], (input) =>
    tf.conv2d(input, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', strides),
  );
  return tf.transpose(out, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
}

function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Record<string, unknown>): tf.Tensor4D {
  const filterShape = attrs.filterShape as [number, number, number, number];
  const [kh, kw, c, m] = filterShape;
  const strides = pair(attrs.strides as number | number[]);
  const dilations = pair(attrs.dilations as number | number[] | undefined);
  const [n, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  // batch and channels become one channel axis of a single image
  const xs = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]) as tf.Tensor4D;
  const f = tf.reshape(tf.transpose(tf.reshape(dy, [n, ho, wo, c, m]), [1, 2, 0, 3, 4]), [ho, wo, n * c, m]) as tf.Tensor4D;
  const out = spatialCorrelation(xs, [kh, kw], [ho, wo], attrs.pad as Pad, strides, dilations, (input) =>
    tf.depthwiseConv2d(input, f, 1, 'valid', 'NHWC', strides),
  );
  return tf.sum(tf.reshape(out, [kh, kw, n, c, m]), 2) as tf.Tensor4D;
}

/**
 * The input gradient of a (depthwise or ordinary) convolution: the output gradient, dilated
 * by the stride and padded so that the result has the input's size, correlated with the
 * spatially flipped filter.
 */
function transposedCorrelation(
  dy: tf.Tensor4D,
  kernel: Pair,
  inputShape: [number, number, number, number],
  pad: Pad,
  strides: Pair,
  dilations: Pair,
  correlate: (input: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const [pt, pl] = forwardPadding(pad, [inputShape[1], inputShape[2]], [dy.shape[1], dy.shape[2]], kernel, strides, dilations);
  const dilated = dilateSpatial(dy, strides);
  const spanH = (kernel[0] - 1) * dilations[0];
  const spanW = (kernel[1] - 1) * dilations[1];
  const top = spanH - pt;
  const left = spanW - pl;
  return correlate(padOrCrop(dilated, top, inputShape[1] + spanH - dilated.shape[1] - top, left, inputShape[2] + spanW - dilated.shape[2] - left));
}

function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Record<string, unknown>): tf.Tensor4D {
  const inputShape = attrs.inputShape as [number, number, number, number];
  const strides = pair(attrs.strides as number | number[]);
  const dilations = pair(attrs.dilations as number | number[] | undefined);
  const [kh, kw, c, m] = filter.shape;
  const [n, ho, wo] = dy.shape;
  const flipped = tf.reverse(filter, [0, 1]);
  const byMultiplier = tf.reshape(dy, [n, ho, wo, c, m]);
  let dx: tf.Tensor4D | undefined;
  for (let k = 0; k < m; k++) {
    const dyK = m === 1 ? dy : (tf.reshape(tf.slice(byMultiplier, [0, 0, 0, 0, k], [n, ho, wo, c, 1]), [n, ho, wo, c]) as tf.Tensor4D);
    const fK = m === 1 ? flipped : (tf.slice(flipped, [0, 0, 0, k], [kh, kw, c, 1]) as tf.Tensor4D);
    const part = transposedCorrelation(dyK, [kh, kw], inputShape, attrs.pad as Pad, strides, dilations, (input) => tf.depthwiseConv2d(input, fK, 1, 'valid', 'NHWC', dilations));
    dx = dx ? (tf.add(dx, part) as tf.Tensor4D) : part;
  }
  return dx!;
}

/** Replaces the WASM backend's own Conv2DBackpropInput, a plain loop, with an XNNPACK convolution (measured 3x faster). */
function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Record<string, unknown>): tf.Tensor4D {
  const inputShape = attrs.inputShape as [number, number, number, number];
  const strides = pair(attrs.strides as number | number[]);
  const dilations = pair(attrs.dilations as number | number[] | undefined);
  const [kh, kw] = filter.shape;
  // flipped in space, input and output channels swapped: [KH, KW, Co, Ci]
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return transposedCorrelation(dy, [kh, kw], inputShape, attrs.pad as Pad, strides, dilations, (input) => tf.conv2d(input, flipped, 1, 'valid', 'NHWC', dilations));
}

type Impl = (a: tf.Tensor4D, b: tf.Tensor4D, attrs: Record<string, unknown>) => tf.Tensor4D;

/**
 * Runs ops inside a kernel over its two inputs and returns their result as the kernel's
 * output. The tensors over the inputs' data each hold a reference of their own (incRef), so
 * disposing them leaves the inputs alive; the output takes a reference before `out` goes.
 */
function runOps<T extends tf.Tensor>(args: Parameters<tf.KernelFunc>[0], names: [string, string], ops: (a: T, b: T) => tf.Tensor): tf.TensorInfo {
  const engine = tf.engine();
  const refs = args.backend as unknown as { incRef(id: object): void };
  const wrap = (info: tf.TensorInfo): T => {
    refs.incRef(info.dataId);
    return engine.makeTensorFromTensorInfo(info) as T;
  };
  const a = wrap(args.inputs[names[0]] as tf.TensorInfo);
  const b = wrap(args.inputs[names[1]] as tf.TensorInfo);
  const out = tf.tidy(() => ops(a, b));
  refs.incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  a.dispose();
  b.dispose();
  return info;
}

function composedKernel(kernelName: string, names: [string, string], impl: Impl): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      if ((args.attrs as { dataFormat?: string }).dataFormat === 'NCHW') throw new Error(`${kernelName} on WASM: only channels-last (NHWC) is supported`);
      return runOps<tf.Tensor4D>(args, names, (a, b) => impl(a, b, args.attrs as Record<string, unknown>));
    },
  };
}

/** The product of the last two dimensions: one matrix of a batch. */
const matrixSize = (t: tf.TensorInfo): number => t.shape.slice(-2).reduce((x, y) => x * y, 1);

/**
 * BatchMatMul that transposes an operand by copying it first, so the product takes the fast
 * path. XNNPACK packs the second operand ("weights") anew whenever its tensor changes, which
 * in training is every step. So A * B^T with a small A and a large B, a dense layer's input
 * gradient dy * W^T, is computed as (B * A^T)^T: then only A is packed, and B is read as it is.
 * For the small CNN's 4096x128 dense layer at batch 8 that is 0.5 ms instead of 10.8 ms, with
 * the same floats.
 */
function transposeFirstMatMul(original: tf.KernelConfig): tf.KernelConfig {
  const swapLast = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : i === all.length - 2 ? all.length - 1 : all.length - 2)));
  return {
    ...original,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const { a: infoA, b: infoB } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (!transposeA && transposeB && matrixSize(infoB) > 4 * matrixSize(infoA)) return runOps(args, ['a', 'b'], (a, b) => swapLast(tf.matMul(b, a, false, true)));
      return runOps(args, ['a', 'b'], (a, b) => tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b));
    },
  };
}

let registered = false;

export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  const configs = [
    composedKernel('Conv2DBackpropFilter', ['x', 'dy'], conv2dBackpropFilter),
    composedKernel('DepthwiseConv2dNativeBackpropFilter', ['x', 'dy'], depthwiseBackpropFilter),
    composedKernel('DepthwiseConv2dNativeBackpropInput', ['dy', 'filter'], depthwiseBackpropInput),
  ];
  for (const config of configs) if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel(maxPoolGradConfig);
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel(composedKernel('Conv2DBackpropInput', ['dy', 'filter'], conv2dBackpropInput));
  registerWasmReductions();
  registerWasmPatches();
  registerWasmBatchNorm();
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(transposeFirstMatMul(matMul));
  }
}
