/**
 * Exact duplicates (same bytes). Only files whose size another file shares can be
 * duplicates, so only those are hashed; hashes are kept until the file changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Progress } from '../../shared/types.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { itemFile } from './sources.js';
import { forEachConcurrent } from '../jobs/forEachConcurrent.js';

export async function hashDuplicateCandidates(project: Project, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<number> {
  const todo = project.plan.unhashedWithSharedSize();
  const meter = new ProgressMeter('hashing files of equal size', todo.length);
  const root = project.datasetRoot;
  let done = 0;
  let pending: { id: number; hash: string }[] = [];
  await forEachConcurrent(todo, 8, signal, async (item) => {
    const hash = await hashFile(itemFile(root, item.path)).catch(() => null);
    if (hash) pending.push({ id: item.id, hash });
    if (++done % 500 === 0) {
      project.plan.setHashes(pending);
      pending = [];
      onProgress?.(meter.update(done));
    }
  });
  project.plan.setHashes(pending);
  return todo.length;
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha1');
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}
