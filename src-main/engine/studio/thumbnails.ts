/**
 * Thumbnails on demand (cached in thumbs.db) and pre-generated in the background after an
 * import. A file that cannot be decoded is reported once, with the reason, and marked broken.
 */
import { ThumbRepo } from '../db/repos/thumbs.js';
import { makeThumbnail } from '../images/decode.js';
import { describeSharpError } from '../images/sharpLib.js';
import { forEachConcurrent } from '../jobs/forEachConcurrent.js';
import type { Project } from '../project.js';
import type { Progress } from '../../shared/types.js';
import { ProgressMeter } from '../jobs/progress.js';
import { verifyItems } from '../dataset/verify.js';
import { itemFileToShow, MediaAccessError } from './media.js';

export class ThumbnailService {
  readonly repo: ThumbRepo;
  private readonly inFlight = new Map<number, Promise<Buffer | { error: string }>>();

  constructor(private readonly project: Project) {
    this.repo = new ThumbRepo(project.dir);
  }

  /**
   * The thumbnail of an item, made now if needed; `{error}` when the file cannot be decoded.
   * Throws MediaAccessError for a file outside the dataset folder (a symbolic link out of it).
   */
  async get(itemId: number): Promise<Buffer | { error: string }> {
    const item = this.project.items.get(itemId);
    if (!item) return { error: 'no such item' };
    if (item.status === 'broken' || item.status === 'missing') return { error: item.reason ?? item.status };
    const file = itemFileToShow(this.project.datasetRoot, item.path);
    const cached = this.repo.get(itemId, item.size, item.mtime_ms);
    if (cached) return cached;
    let pending = this.inFlight.get(itemId);
    if (!pending) {
      pending = this.make(itemId, file, item.format, item.size, item.mtime_ms).finally(() => this.inFlight.delete(itemId));
      this.inFlight.set(itemId, pending);
    }
    return pending;
  }

  private async make(itemId: number, file: string, format: string | null, size: number, mtimeMs: number): Promise<Buffer | { error: string }> {
    try {
      const data = await makeThumbnail(file, format);
      this.repo.put(itemId, size, mtimeMs, data);
      this.recordDecoded({ id: itemId, size, mtime_ms: mtimeMs });
      return data;
    } catch (err) {
      const reason = `cannot be decoded: ${describeSharpError(err)}`;
      this.markBroken(itemId, reason);
      return { error: reason };
    }
  }

  private markBroken(itemId: number, reason: string): void {
    const item = this.project.items.get(itemId);
    if (!item || item.status === 'broken') return;
    this.project.db.transaction(() => {
      const batch = this.project.labels.createBatch('thumbnails', 'a file failed to decode', false);
      this.project.items.setStatus(itemId, 'broken', reason);
      this.project.labels.addEvent(batch, itemId, 'status', item.status, 'broken');
    })();
  }

  /**
   * A thumbnail is a strict decode of the whole file: recorded on the item (it clears the
   * image for export), in small batches rather than a write per grid cell.
   */
  private decodedQueue: { id: number; size: number; mtime_ms: number }[] = [];
  private decodedTimer: NodeJS.Timeout | null = null;
  private recordDecoded(row: { id: number; size: number; mtime_ms: number }): void {
    this.decodedQueue.push(row);
    if (this.decodedQueue.length >= 256) this.flushDecoded();
    else this.decodedTimer ??= setTimeout(() => this.flushDecoded(), 500).unref();
  }

  private flushDecoded(): void {
    if (this.decodedTimer) clearTimeout(this.decodedTimer);
    this.decodedTimer = null;
    const rows = this.decodedQueue;
    this.decodedQueue = [];
    if (rows.length && this.project.db.open) this.project.db.transaction(() => this.project.items.setDecoded(rows))();
  }

  /** Decodes (strictly) and thumbnails every active item not decoded yet, then makes any other missing thumbnail; returns how many images it decoded. */
  async pregenerate(signal: AbortSignal, onProgress: (p: Progress) => void): Promise<number> {
    const verified = await verifyItems(this.project, this.project.items.undecodedActiveIds(), { thumbs: this.repo, concurrency: 4, signal, onProgress });
    const have = this.repo.existingIds();
    const todo = this.project.items.activeIds().filter((id) => !have.has(id));
    const meter = new ProgressMeter('making thumbnails', todo.length);
    let done = 0;
    await forEachConcurrent(todo, 4, signal, async (id) => {
      // a file outside the dataset folder gets no thumbnail; it is not broken either
      await this.get(id).catch((err: unknown) => {
        if (!(err instanceof MediaAccessError)) throw err;
      });
      if (++done % 16 === 0 || done === todo.length) onProgress(meter.update(done));
    });
    return verified.decoded + done;
  }

  close(): void {
    this.flushDecoded();
    this.repo.close();
  }
}
