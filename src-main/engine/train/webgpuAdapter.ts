/**
 * Finds a WebGPU adapter through Dawn's Node bindings (the `webgpu` package), for tf.ts's
 * WebGPU backend. Dawn drives Vulkan on Linux, Metal on macOS and Direct3D 12 on Windows.
 *
 * Software adapters (SwiftShader, llvmpipe, Dawn's fallback adapter) train slower than the
 * CPU backends, so automatic selection refuses them; an explicit `--backend webgpu` takes
 * whatever adapter exists (that is how the tests run on a machine with no GPU).
 *
 * On Linux, with no Vulkan driver (ICD) installed, Dawn is not even loaded: it would only
 * print Vulkan loader warnings and find nothing.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** the native API Dawn runs on */
  api: 'Vulkan' | 'Metal' | 'Direct3D 12';
  software: boolean;
}

export interface FoundAdapter {
  gpu: unknown;
  adapter: { info: Record<string, unknown>; limits: Record<string, number>; features: Set<string>; requestDevice(d?: unknown): Promise<unknown> };
  info: GpuAdapterInfo;
}

const API: Record<string, GpuAdapterInfo['api']> = { darwin: 'Metal', win32: 'Direct3D 12' };
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render/i;

/** Vulkan driver manifests the loader would read (Linux), per its documented search paths. */
export function vulkanDrivers(): string[] {
  const listed = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (listed) return listed.split(path.delimiter).filter((f) => f && fs.existsSync(f));
  const dataDirs = (process.env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':');
  const dirs = ['/etc/vulkan/icd.d', ...dataDirs.map((d) => path.join(d, 'vulkan', 'icd.d')), path.join(process.env.HOME ?? '/nonexistent', '.local/share/vulkan/icd.d')];
  return dirs.flatMap((d) => {
    try {
      return fs.readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => path.join(d, f));
    } catch {
      return [];
    }
  });
}

export function describeAdapter(info: GpuAdapterInfo): string {
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || info.description || 'unknown adapter';
  const detail = info.description && !name.includes(info.description) ? `, ${info.description}` : '';
  return `${name}${detail}, ${info.api}${info.software ? ', software' : ''}`;
}

/**
 * The high-performance adapter, or why there is none. `allowSoftware` accepts a software
 * adapter (an explicit choice); otherwise one is refused with the reason.
 */
export async function findAdapter(allowSoftware: boolean): Promise<FoundAdapter | { reason: string }> {
  if (process.platform === 'linux' && vulkanDrivers().length === 0) return { reason: 'no Vulkan driver installed (no ICD manifest in /usr/share/vulkan/icd.d or VK_ICD_FILENAMES)' };
  let mod: { create(flags: string[]): { requestAdapter(o?: unknown): Promise<FoundAdapter['adapter'] | null> }; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    return { reason: /Cannot find (module|package)/.test(message) ? 'not installed' : message };
  }
  // GPUBufferUsage, GPUMapMode... are globals in a browser; tfjs-backend-webgpu expects them
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { reason: 'Dawn finds no WebGPU adapter (no working Vulkan, Metal or Direct3D 12 driver)' };
  const raw = adapter.info as Record<string, string | boolean | undefined>;
  const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const info: GpuAdapterInfo = {
    vendor: str('vendor'),
    architecture: str('architecture'),
    device: str('device'),
    description: str('description'),
    api: API[process.platform] ?? 'Vulkan',
    software: raw.isFallbackAdapter === true || SOFTWARE.test(`${str('vendor')} ${str('architecture')} ${str('device')} ${str('description')}`),
  };
  if (info.software && !allowSoftware) return { reason: `only a software adapter (${describeAdapter(info)}), slower than the CPU; --backend webgpu uses it anyway` };
  return { gpu, adapter, info };
}
