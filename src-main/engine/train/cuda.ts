/**
 * The truth about the CUDA path: @tensorflow/tfjs-node-gpu 4.22 binds libtensorflow 2.9.1,
 * which loads CUDA 11 and cuDNN 8 by these exact sonames and nothing newer. This module finds
 * the NVIDIA driver and GPU (nvidia-smi), looks for each library where the dynamic loader
 * would (LD_LIBRARY_PATH, the ldconfig cache) and where CUDA installs usually sit
 * (/usr/local/cuda*\/lib64, found but not loadable until LD_LIBRARY_PATH names it), and says
 * what to do about what is missing. It also keeps the PTX just-in-time compilation (every GPU
 * newer than Turing) to one payment: a 4 GiB CUDA cache under the user's cache folder.
 * No TensorFlow.js here: doctor and the trainer ask before anything loads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CUDA_LIBRARIES = ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8'] as const;

export interface NvidiaGpu {
  name: string;
  driver_version: string;
  /** "8.6"; null when the driver is too old to report it */
  compute_capability: string | null;
}

export interface CudaLibrary {
  name: string;
  /** where it was found, or null */
  path: string | null;
  /** whether libtensorflow's dlopen would find it (LD_LIBRARY_PATH or the ldconfig cache) */
  loadable: boolean;
}

export interface CudaReport {
  nvidia_smi: boolean;
  /** why nvidia-smi gave no GPU, or null */
  nvidia_smi_error: string | null;
  gpus: NvidiaGpu[];
  libraries: CudaLibrary[];
  missing: string[];
  /** libtensorflow 2.9.1 ships machine code up to compute capability 7.5: newer GPUs compile its PTX on first use */
  jit: boolean;
  cache_path: string;
  steps: string[];
}

/** What nvidia-smi says about each GPU, or why it said nothing. */
export function nvidiaGpus(): { gpus: NvidiaGpu[]; error: string | null; found: boolean } {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,compute_cap', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const gpus = out.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
      const [name = '', driver = '', cap = ''] = line.split(',').map((s) => s.trim());
      return { name, driver_version: driver, compute_capability: /^\d+\.\d+$/.test(cap) ? cap : null };
    });
    return { gpus, error: gpus.length ? null : 'nvidia-smi lists no GPU', found: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return { gpus: [], error: 'nvidia-smi is not on the PATH (no NVIDIA driver)', found: false };
    return { gpus: [], error: `nvidia-smi failed: ${(e.stderr || e.message).trim().split('\n')[0]}`, found: true };
  }
}

function ldconfigCache(): Map<string, string> {
  const found = new Map<string, string>();
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      const out = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      for (const m of out.matchAll(/^\s*(\S+) \(([^)]*)\) => (\S+)$/gm)) if (!found.has(m[1]!) && !/i386|,\s*32/.test(m[2]!)) found.set(m[1]!, m[3]!);
      return found;
    } catch {
      /* next candidate */
    }
  }
  return found;
}

function cudaDirs(): string[] {
  try {
    return fs.readdirSync('/usr/local').filter((d) => d.startsWith('cuda')).sort().reverse().flatMap((d) => [path.join('/usr/local', d, 'lib64'), path.join('/usr/local', d, 'targets/x86_64-linux/lib')]);
  } catch {
    return [];
  }
}

export function findCudaLibraries(): CudaLibrary[] {
  const envDirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const cache = ldconfigCache();
  const extra = [...cudaDirs(), '/usr/lib/x86_64-linux-gnu', '/usr/lib64'];
  return CUDA_LIBRARIES.map((name) => {
    const inEnv = envDirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
    if (inEnv) return { name, path: inEnv, loadable: true };
    if (cache.has(name)) return { name, path: cache.get(name)!, loadable: true };
    const elsewhere = extra.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
    return { name, path: elsewhere ?? null, loadable: false };
  });
}

/** The user's cache folder, as each platform names it. */
export function userCacheDir(): string {
  if (process.platform === 'win32') return process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches');
  return process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
}

/** CUDA's JIT cache: 4 GiB (the default 256 MiB evicts libtensorflow's kernels and compiles them again) under the user's cache folder, unless the user set either. Call before the CUDA runtime loads. */
export function setCudaCacheEnv(): string {
  process.env.CUDA_CACHE_MAXSIZE ??= String(4 * 1024 ** 3);
  process.env.CUDA_CACHE_PATH ??= path.join(userCacheDir(), 'shiwake', 'cuda');
  return process.env.CUDA_CACHE_PATH;
}

/** A marker beside CUDA's cache once a run on this GPU got past its first step (the kernels are cached from then on). */
const jitMarker = (gpu: string): string => path.join(setCudaCacheEnv(), `shiwake-ready-${gpu.replace(/[^A-Za-z0-9.-]+/g, '_')}`);

export function jitPending(gpu: string): boolean {
  return !fs.existsSync(jitMarker(gpu));
}

export function markJitDone(gpu: string): void {
  try {
    fs.mkdirSync(path.dirname(jitMarker(gpu)), { recursive: true });
    fs.writeFileSync(jitMarker(gpu), new Date().toISOString());
  } catch {
    /* an unwritable cache only repeats the message */
  }
}

const newerThanTuring = (cap: string | null): boolean => cap !== null && Number(cap) > 7.5;

export function cudaReport(): CudaReport {
  const smi = nvidiaGpus();
  const libraries = findCudaLibraries();
  const missing = libraries.filter((l) => !l.loadable).map((l) => l.name);
  const jit = smi.gpus.some((g) => newerThanTuring(g.compute_capability));
  const cachePath = process.env.CUDA_CACHE_PATH ?? path.join(userCacheDir(), 'shiwake', 'cuda');
  const steps: string[] = [];
  if (!smi.found) {
    steps.push('No NVIDIA driver: the CUDA backend needs an NVIDIA GPU with its driver (nvidia-smi). Other GPUs train through WebGPU (Vulkan, Metal or Direct3D 12); see the README, "Training on the GPU".');
  } else if (smi.gpus.length === 0) {
    steps.push(`The NVIDIA driver answers but finds no GPU (${smi.error}): check that the GPU is visible to this machine or container (nvidia-smi), e.g. docker --gpus all.`);
  } else {
    const dirsToAdd = [...new Set(libraries.filter((l) => !l.loadable && l.path).map((l) => path.dirname(l.path!)))];
    if (dirsToAdd.length) steps.push(`Found but not on the loader's path: export LD_LIBRARY_PATH=${dirsToAdd.join(':')}:$LD_LIBRARY_PATH (or list the folder in /etc/ld.so.conf.d/cuda.conf and run sudo ldconfig)`);
    const absent = libraries.filter((l) => !l.path).map((l) => l.name);
    const cudaAbsent = absent.filter((n) => n !== 'libcudnn.so.8');
    if (cudaAbsent.length) steps.push(`Install the CUDA 11.2 runtime libraries (${cudaAbsent.join(', ')}); they install beside a newer CUDA and work with any newer driver. With NVIDIA's apt repository (Ubuntu/Debian): sudo apt-get install cuda-libraries-11-2, then export LD_LIBRARY_PATH=/usr/local/cuda-11.2/lib64:$LD_LIBRARY_PATH`);
    if (absent.includes('libcudnn.so.8')) steps.push('Install cuDNN 8.1 for CUDA 11.2 (libcudnn.so.8): with NVIDIA\'s apt repository: sudo apt-get install libcudnn8=8.1.1.33-1+cuda11.2, or unpack the cuDNN 8.1 archive for CUDA 11.2 into /usr/local/cuda-11.2');
    if (missing.length) steps.push('Then: npm install @tensorflow/tfjs-node-gpu@4.22.0 (it downloads libtensorflow 2.9.1) and run shiwake doctor again');
    if (jit) steps.push(`This GPU (compute capability ${smi.gpus.map((g) => g.compute_capability).join(', ')}) is newer than what libtensorflow 2.9.1 was compiled for (7.5): the first GPU run compiles its kernels from PTX, which takes minutes (30 or more on 9.0). They are kept in ${cachePath} (4 GiB) so this is paid once; WebGPU needs no such compilation.`);
  }
  return { nvidia_smi: smi.found, nvidia_smi_error: smi.error, gpus: smi.gpus, libraries, missing, jit, cache_path: cachePath, steps };
}
