import os from 'node:os';
import type { BackendName } from './tf.js';

/**
 * How many worker threads pay off on a backend: one per core where its kernels run on one
 * thread (WASM, plain JS); one where the backend parallelises inside (libtensorflow) or runs
 * on one GPU. Training's gradient workers and the predictor's pool both size themselves by it.
 */
export function workersPerBackend(backend: BackendName): number {
  return backend === 'wasm' || backend === 'cpu' ? os.availableParallelism() : 1;
}
