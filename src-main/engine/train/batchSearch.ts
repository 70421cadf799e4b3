/**
 * `--batch-size auto`, the parts that need no TensorFlow.js: the search for the largest batch
 * that fits (grow by doubling, then bisect between the last size that ran and the first that
 * failed), telling an out-of-memory error from any other, and the on-disk cache of answers
 * (`<SHIWAKE_HOME>/batch-probe.json`), so a probe runs once per device, model and image size.
 * batchProbe.ts runs the steps the search asks for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAtomically } from '../files.js';

/** The first size tried; below it the search goes down one by one (a batch of 8 that does not fit is rare, but must not end the run). */
export const FIRST_BATCH = 8;
/** Above FIRST_BATCH the bisection stops at multiples of this: GPU kernels tile by 8, and each probe step costs seconds on a large model. */
export const BATCH_GRID = 8;
/** The contract's upper bound for a batch. */
export const MAX_BATCH = 4096;

export class OutOfMemory extends Error {}

/**
 * Whether an error means "this batch does not fit", as each backend says it: libtensorflow
 * (CUDA and CPU), WebGPU (an out-of-memory error scope, or a buffer over the device's size
 * limit), WebAssembly's heap, V8's typed arrays (the plain JS backend), and the simulated limit
 * of the tests. Anything else (a shape error, a missing kernel) is a real failure and is thrown.
 */
export function isOutOfMemory(err: unknown): boolean {
  if (err instanceof OutOfMemory) return true;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return /out of memory|\bOOM\b|ResourceExhausted|resource exhausted|failed to allocate|Array buffer allocation failed|Invalid typed array length|Cannot enlarge memory|exceeds the max(imum)? buffer size|larger than the maximum (storage buffer )?binding size|bad_alloc|CUDA_ERROR_OUT_OF_MEMORY/i.test(message);
}

export interface FitResult {
  /** the largest size that ran */
  chosen: number;
  /** the smallest size that did not fit (null: every size up to `max` ran) */
  failedAt: number | null;
  /** each size tried, in order, and whether it ran */
  tried: { size: number; ok: boolean }[];
}

/**
 * The largest batch in [1, max] for which `attempt` does not run out of memory: 8, 16, 32...
 * until one fails, then bisection on multiples of BATCH_GRID (of 1 below it) between the last
 * that ran and the first that failed. Memory use grows with the batch, so one failure bounds
 * every larger size. `attempt` throws on failure; errors that are not out-of-memory end the search.
 */
export async function largestThatFits(attempt: (size: number) => Promise<void>, max: number): Promise<FitResult> {
  if (!Number.isInteger(max) || max < 1) throw new Error(`the largest batch to try must be a whole number from 1 (got ${max})`);
  const tried: FitResult['tried'] = [];
  const runs = async (size: number): Promise<boolean> => {
    try {
      await attempt(size);
      tried.push({ size, ok: true });
      return true;
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      tried.push({ size, ok: false });
      return false;
    }
  };
  let lo = 0;
  let hi: number | null = null;
  for (let size = Math.min(FIRST_BATCH, max); ; size = Math.min(max, size * 2)) {
    if (!(await runs(size))) {
      hi = size;
      break;
    }
    lo = size;
    if (size >= max) break;
  }
  while (hi !== null) {
    const grid = lo >= BATCH_GRID ? BATCH_GRID : 1;
    if (hi - lo <= grid) break;
    const mid = lo + grid * Math.max(1, Math.floor((hi - lo) / (2 * grid)));
    if (mid >= hi) break;
    if (await runs(mid)) lo = mid;
    else hi = mid;
  }
  if (lo === 0) throw new OutOfMemory('not even a batch of 1 fits in memory for this model and image size: choose a smaller image size or model');
  return { chosen: lo, failedAt: hi, tried };
}

/** A remembered probe answer. */
export interface CachedProbe {
  method: 'memory' | 'speed';
  chosen: number;
  failed_at: number | null;
  /** the largest size the probe was allowed to try: an answer that never failed says nothing above it */
  max: number;
  /** speed probes: images/s per size tried */
  images_per_sec?: Record<string, number>;
  probed_at: string;
}

export const batchCacheFile = (): string => path.join(process.env.SHIWAKE_HOME ?? path.join(os.homedir(), '.shiwake'), 'batch-probe.json');

function readAll(): Record<string, CachedProbe> {
  try {
    const c = JSON.parse(fs.readFileSync(batchCacheFile(), 'utf8')) as { v: number; entries: Record<string, CachedProbe> };
    return c.v === 1 && c.entries && typeof c.entries === 'object' ? c.entries : {};
  } catch {
    return {}; // missing or unreadable: probe again (and rewrite it)
  }
}

/** The remembered answer for `key`, if it still answers a probe up to `max`. */
export function cachedProbe(key: string, max: number): CachedProbe | undefined {
  const hit = readAll()[key];
  if (!hit || !Number.isInteger(hit.chosen) || hit.chosen < 1) return undefined;
  // a probe that never failed up to a smaller max does not know about sizes above it
  if (hit.failed_at === null && hit.max < max) return undefined;
  return hit;
}

export function rememberProbe(key: string, probe: CachedProbe): void {
  try {
    const all = readAll();
    all[key] = probe;
    fs.mkdirSync(path.dirname(batchCacheFile()), { recursive: true });
    writeAtomically(batchCacheFile(), JSON.stringify({ v: 1, entries: all }, null, 2));
  } catch {
    /* a read-only home only costs a probe next time */
  }
}
