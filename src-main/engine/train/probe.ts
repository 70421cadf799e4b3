/**
 * Which training backend this machine has, asked without loading TensorFlow.js here: a child
 * process loads it (probeProcess.ts) and answers. The answer is kept for the life of this
 * process and on disk (`<SHIWAKE_HOME>/backend-probe.json`), keyed by the installed
 * TensorFlow.js packages, Node's version and whether nvidia-smi is on the PATH, so opening a
 * project shows the backend at once and the studio's engine never holds GPU memory.
 * Anyone may call probeBackend (the studio, the predictor); training and prediction workers
 * still call initBackend in their own process.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { writeAtomically } from '../files.js';
import { askChild } from './childEntry.js';
import type { BackendInfo } from './tf.js';
import { vulkanDrivers } from './webgpuAdapter.js';

const PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu'];
const TIMEOUT_MS = 120_000;
const require = createRequire(import.meta.url);

let answer: Promise<BackendInfo> | undefined;
let known: BackendInfo | undefined;

function version(pkg: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

/** What the answer depends on: a change to any of these probes again. */
export function probeKey(): string {
  return JSON.stringify({ v: 1, node: process.version, platform: `${process.platform}-${process.arch}`, packages: PACKAGES.map((p) => [p, version(p)]), nvidiaSmi: onPath('nvidia-smi'), vulkan: process.platform === 'linux' ? vulkanDrivers() : null });
}

const cacheFile = (): string => path.join(process.env.SHIWAKE_HOME ?? path.join(os.homedir(), '.shiwake'), 'backend-probe.json');

function readCache(key: string): BackendInfo | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as { key: string; info: BackendInfo };
    return c.key === key ? c.info : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(key: string, info: BackendInfo): void {
  try {
    fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
    writeAtomically(cacheFile(), JSON.stringify({ key, info, probedAt: new Date().toISOString() }, null, 2));
  } catch {
    /* a read-only home only costs a probe next time */
  }
}

function probeInChild(): Promise<BackendInfo> {
  return askChild<BackendInfo>('probeProcess.ts', {
    what: 'the training backend probe',
    timeoutMs: TIMEOUT_MS,
    timeoutError: `the training backend probe did not answer within ${TIMEOUT_MS / 1000} s`,
    failurePrefix: 'the training backend probe failed: ',
  });
}

/**
 * The best backend that loads here, probed once per process (and remembered on disk until
 * the packages change); `refresh` probes again.
 */
export function probeBackend(options: { refresh?: boolean } = {}): Promise<BackendInfo> {
  if (answer && !options.refresh) return answer;
  const key = probeKey();
  const cached = options.refresh ? undefined : readCache(key);
  const probe = cached
    ? Promise.resolve(cached)
    : probeInChild().then((info) => {
        writeCache(key, info);
        return info;
      });
  answer = probe;
  probe.then(
    (info) => (known = info),
    () => answer === probe && (answer = undefined), // a failed probe is tried again next time
  );
  return probe;
}

/**
 * Records an answer found another way (`shiwake doctor` loads the backends itself): after
 * installing CUDA libraries, which the key cannot see, a doctor run corrects the remembered one.
 */
export function rememberBackend(info: BackendInfo): void {
  writeCache(probeKey(), info);
  known = info;
  answer = Promise.resolve(info);
}

/** The probe's answer if it has come, without waiting or starting one. */
export function probedBackend(): BackendInfo | undefined {
  return known;
}
