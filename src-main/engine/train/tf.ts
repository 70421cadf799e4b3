/**
 * The one wrapper around TensorFlow.js: every other module imports `tf` from here, and
 * `initBackend` picks the fastest backend that loads (CUDA through tfjs-node-gpu, WebGPU on a
 * hardware adapter through Dawn, native CPU through tfjs-node, WebAssembly, then plain
 * JavaScript) and says which it got.
 * No `tf.node.*` outside this file.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batchNormGradient.js';
import { nvidiaGpus, setCudaCacheEnv } from './cuda.js';
import { registerWasmGradientKernels } from './wasmKernels.js';
import { describeAdapter, findAdapter, type FoundAdapter, type GpuAdapterInfo } from './webgpuAdapter.js';
import { registerWebgpuKernels } from './webgpuKernels.js';

export { tf };

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** what a person reads in the status bar */
  label: string;
  device: string | null;
  /** the WebGPU adapter (vendor, architecture, native API), on the webgpu backend */
  adapter?: GpuAdapterInfo;
  /** what to install for a faster backend, or null on the fastest */
  faster: string | null;
  /** why the better backends did not load */
  skipped: { backend: string; reason: string }[];
}

const require = createRequire(import.meta.url);
let current: BackendInfo | undefined;

const HINT_NATIVE = 'npm install @tensorflow/tfjs-node (native CPU, several times faster than WASM; it downloads libtensorflow, so it needs internet access while installing)';
const HINT_WEBGPU = 'a GPU with a Vulkan (Linux), Metal (macOS) or Direct3D 12 (Windows) driver; on Linux install the vendor driver plus libvulkan1 (see the README, "Training on the GPU")';
const HINT_GPU = 'with an NVIDIA GPU: npm install @tensorflow/tfjs-node-gpu plus CUDA 11.2 and cuDNN 8.1 (see the README, "Training on the GPU")';

function gpuName(): string | null {
  return nvidiaGpus().gpus[0]?.name ?? null;
}

async function tryNative(pkg: string, skipped: BackendInfo['skipped']): Promise<boolean> {
  try {
    require(pkg);
    await tf.setBackend('tensorflow');
    await tf.ready();
    return true;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    skipped.push({ backend: pkg, reason: /Cannot find module/.test(message) ? 'not installed' : message });
    return false;
  }
}

/** Registers TensorFlow.js's WebGPU backend on the adapter findAdapter chose (not on whatever navigator.gpu offers first). */
async function tryWebgpu(allowSoftware: boolean, skipped: BackendInfo['skipped']): Promise<GpuAdapterInfo | null> {
  try {
    const found = await findAdapter(allowSoftware);
    if ('reason' in found) {
      skipped.push({ backend: 'webgpu', reason: found.reason });
      return null;
    }
    // imported before navigator.gpu exists, so the package does not register its own factory (which picks its own adapter)
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
    if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: found.gpu, configurable: true });
    const device = await requestDevice(found);
    if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, found.adapter.info as never), 3);
    registerWebgpuKernels();
    if (!(await tf.setBackend('webgpu'))) throw new Error('failed to initialise');
    await tf.ready();
    return found.info;
  } catch (err) {
    skipped.push({ backend: 'webgpu', reason: (err as Error).message.split('\n')[0] ?? 'failed' });
    return null;
  }
}

/** A device with the adapter's own limits (the defaults are far below what convolutions on large images need), as tfjs-backend-webgpu asks for them. */
function requestDevice(found: FoundAdapter): Promise<unknown> {
  const l = found.adapter.limits;
  const keys = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  // test hook: WebGPU's default limits (buffers of 256 MiB, bindings of 128 MiB), so a test meets a device limit at small sizes
  const defaults = process.env.SHIWAKE_TEST_WEBGPU_DEFAULT_LIMITS === '1';
  return found.adapter.requestDevice({
    requiredFeatures: ['timestamp-query'].filter((f) => found.adapter.features.has(f)),
    requiredLimits: defaults ? {} : Object.fromEntries(keys.map((k) => [k, l[k]])),
  });
}

/**
 * Loads the best backend, or exactly `preference` when given: an explicit choice is honoured
 * or refused with the reason (never a silent fall back to a slower one, so a user who asked
 * for the GPU does not train for a day on plain JavaScript). Safe to call again: the first
 * choice stays.
 */
export async function initBackend(preference?: BackendName): Promise<BackendInfo> {
  if (current && (!preference || preference === current.name)) return current;
  registerBatchNormGradient();
  const skipped: BackendInfo['skipped'] = [];
  const want = (name: BackendName): boolean => !preference || preference === name;
  const refuse = (hint: string): Error =>
    new Error(`the ${preference} backend is not available here: ${skipped.map((s) => (s.reason === 'not installed' ? `${s.backend} is not installed` : `${s.backend}: ${s.reason}`)).join('; ')}; ${hint}`);
  if (want('tensorflow-gpu')) {
    setCudaCacheEnv(); // before the CUDA runtime loads: its JIT cache is read once
    if (await tryNative('@tensorflow/tfjs-node-gpu', skipped)) {
      const device = gpuName();
      if (device) {
        current = { name: 'tensorflow-gpu', label: `CUDA GPU (${device})`, device, faster: null, skipped };
        return current;
      }
      skipped.push({ backend: '@tensorflow/tfjs-node-gpu', reason: 'loaded, but nvidia-smi finds no GPU' });
    }
    if (preference) throw refuse(HINT_GPU);
  }
  if (want('webgpu')) {
    const info = await tryWebgpu(preference === 'webgpu', skipped);
    if (info) {
      current = { name: 'webgpu', label: `WebGPU (${describeAdapter(info)})`, device: [info.vendor, info.architecture].filter(Boolean).join(' ') || info.description, adapter: info, faster: null, skipped };
      return current;
    }
    if (preference) throw refuse(HINT_WEBGPU);
  }
  if (want('tensorflow')) {
    if (await tryNative('@tensorflow/tfjs-node', skipped)) {
      current = { name: 'tensorflow', label: 'native CPU (libtensorflow)', device: null, faster: HINT_GPU, skipped };
      return current;
    }
    if (preference) throw refuse(HINT_NATIVE);
  }
  if (want('wasm')) {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmGradientKernels();
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        current = { name: 'wasm', label: `WASM (CPU${simd ? ', SIMD' : ''}, 1 thread)`, device: null, faster: HINT_NATIVE, skipped };
        return current;
      }
      skipped.push({ backend: '@tensorflow/tfjs-backend-wasm', reason: 'failed to initialise' });
    } catch (err) {
      skipped.push({ backend: '@tensorflow/tfjs-backend-wasm', reason: (err as Error).message.split('\n')[0] ?? 'failed' });
    }
    if (preference) throw refuse('npm install @tensorflow/tfjs-backend-wasm');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  current = { name: 'cpu', label: 'plain JavaScript (CPU, slow)', device: null, faster: HINT_NATIVE, skipped };
  return current;
}

export function backendInfo(): BackendInfo | undefined {
  return current;
}
