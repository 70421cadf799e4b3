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

  /** Makes every missing thumbnail of active items; returns how many were made. */
  async pregenerate(signal: AbortSignal, onProgress: (p: Progress) => void): Promise<number> {
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
    return done;
  }

  close(): void {
    this.repo.close();
  }
}
