/**
 * Exact duplicates (same bytes). Only files whose size another file shares can be
 * duplicates, so only those are hashed; hashes are kept until the file changes.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Progress } from '../../shared/types.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { itemFile } from './sources.js';

const WORKER = path.join(import.meta.dirname, 'hashWorker.mjs');
/** files per message: large enough that messaging costs nothing per file, small enough for progress and cancel */
const BATCH = 1000;

/**
 * Hashes the candidates in worker threads (two: one reads while the other hashes, and a cold
 * disk gets two reads in flight), one batch in flight per worker, so memory stays bounded; the
 * hashes of each batch are written in one transaction as they arrive.
 */
export async function hashDuplicateCandidates(project: Project, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<number> {
  const todo = project.plan.unhashedWithSharedSize();
  if (todo.length === 0) return 0;
  const meter = new ProgressMeter('hashing files of equal size', todo.length);
  const root = project.datasetRoot;
  const threads = Math.min(2, os.availableParallelism(), Math.ceil(todo.length / BATCH));
  const workers = Array.from({ length: threads }, () => new Worker(WORKER));
  let next = 0;
  let done = 0;
  const run = async (worker: Worker): Promise<void> => {
    while (next < todo.length && !signal?.aborted) {
      const batch = todo.slice(next, (next += BATCH));
      const hashes = await new Promise<(string | null)[]>((resolve, reject) => {
        const fail = (err: Error): void => reject(new Error(`hashing files for duplicates failed: ${err.message}`));
        worker.once('error', fail);
        worker.once('message', (m: (string | null)[]) => {
          worker.off('error', fail);
          resolve(m);
        });
        worker.postMessage(batch.map((item) => itemFile(root, item.path)));
      });
      project.plan.setHashes(batch.flatMap((item, i) => (hashes[i] ? [{ id: item.id, hash: hashes[i] }] : [])));
      done += batch.length;
      onProgress?.(meter.update(done));
    }
  };
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return todo.length;
}
