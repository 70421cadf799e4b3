/**
 * The one full decode every image gets: strict (a warning fails it), by the thumbnail job in
 * the studio's background or, for items it has not reached, by an export before it passes
 * bytes through. Each result is stored with the item (`decoded`, kept until the import sees
 * the file change) or makes the item broken with the decoder's message; the thumbnail the
 * decode produces is kept too, so the pass is never repeated.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Progress } from '../../shared/types.js';
import { ThumbRepo } from '../db/repos/thumbs.js';
import { makeThumbnail } from '../images/decode.js';
import { describeSharpError } from '../images/sharpLib.js';
import { forEachConcurrent } from '../jobs/forEachConcurrent.js';
import { ProgressMeter } from '../jobs/progress.js';
import type { Project } from '../project.js';
import { itemFile } from './sources.js';

export interface VerifyOutcome {
  /** images decoded now (whole or not) */
  decoded: number;
  /** of those, the ones that failed: now broken, with the decoder's message */
  broken: { path: string; reason: string }[];
  seconds: number;
}

export interface VerifyOptions {
  /** where the thumbnails the decode makes are kept (thumbnails/thumbs.db) */
  thumbs?: ThumbRepo;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

const WRITE_BATCH = 256;

export async function verifyItems(project: Project, ids: readonly number[], options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const started = performance.now();
  const meter = new ProgressMeter('decoding images', ids.length);
  const root = project.datasetRoot;
  const outcome: VerifyOutcome = { decoded: 0, broken: [], seconds: 0 };
  type Row = { id: number; path: string; size: number; mtime_ms: number; status: string };
  let whole: Row[] = [];
  let failed: (Row & { reason: string })[] = [];
  // thumbnails are written with the results, one transaction a batch, not one commit each
  let thumbs: { itemId: number; size: number; mtimeMs: number; data: Buffer }[] = [];
  const flush = (): void => {
    const [ok, bad] = [whole, failed];
    [whole, failed] = [[], []];
    if (thumbs.length) options.thumbs?.putMany(thumbs);
    thumbs = [];
    if (ok.length === 0 && bad.length === 0) return;
    project.db.transaction(() => {
      project.items.setDecoded(ok);
      const batch = bad.length ? project.labels.createBatch('verify', `${bad.length} image${bad.length === 1 ? '' : 's'} failed to decode`, false) : 0;
      for (const r of bad) {
        const now = project.items.get(r.id);
        // the file changed or a person acted meanwhile: this result is no longer about it
        if (!now || now.status !== r.status || now.size !== r.size || now.mtime_ms !== r.mtime_ms) continue;
        project.items.setStatus(r.id, 'broken', r.reason);
        project.labels.addEvent(batch, r.id, 'status', r.status, 'broken');
      }
    })();
  };
  let done = 0;
  // two images in flight per core: sharp gives each one libvips thread here, and with one per
  // core a core sat idle while the other's results were stored (0.96x -> 1.10x vipsthumbnail)
  await forEachConcurrent(ids, options.concurrency ?? 2 * os.availableParallelism(), options.signal, async (id) => {
    const item = project.items.get(id);
    if (item && item.status === 'active') {
      const file = itemFile(root, item.path);
      try {
        const thumb = await makeThumbnail(file, item.format);
        thumbs.push({ itemId: item.id, size: item.size, mtimeMs: item.mtime_ms, data: thumb });
        whole.push(item);
      } catch (err) {
        // a file that vanished is the next import's business (missing), not a broken image
        if (fs.existsSync(file)) {
          const reason = `cannot be decoded: ${describeSharpError(err)}`;
          failed.push({ ...item, reason });
          outcome.broken.push({ path: item.path, reason });
        }
      }
      outcome.decoded++;
    }
    done++;
    if (whole.length + failed.length >= WRITE_BATCH) flush();
    if (done % 16 === 0 || done === ids.length) options.onProgress?.(meter.update(done));
  });
  flush();
  outcome.seconds = (performance.now() - started) / 1000;
  return outcome;
}

/**
 * Decodes every active item not decoded since its file last changed (an export calls this
 * first: no pass-through image leaves unchecked). The thumbnails go to the project's cache.
 */
export async function verifyUndecoded(project: Project, options: Omit<VerifyOptions, 'thumbs'> = {}): Promise<VerifyOutcome> {
  const ids = project.items.undecodedActiveIds();
  if (ids.length === 0) return { decoded: 0, broken: [], seconds: 0 };
  const thumbs = new ThumbRepo(project.dir);
  try {
    return await verifyItems(project, ids, { ...options, thumbs });
  } finally {
    thumbs.close();
  }
}
