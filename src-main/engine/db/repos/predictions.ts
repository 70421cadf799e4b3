import type { Db, Statement } from '../connection.js';
import { allForIds } from './chunks.js';

/** One stored prediction: categories as ids (or -(index + 1) for a model category the project lacks). */
export interface PredictionRow {
  item_id: number;
  label_id: number;
  top1: number;
  top1_prob: number;
  label_prob: number | null;
  top_k: Buffer;
  size: number;
  mtime_ms: number;
}

/** A stored prediction joined with the item's current label. */
export interface ScoredItem {
  item_id: number;
  category_id: number;
  label_id: number;
  top1: number;
  top1_prob: number;
  top_k: Buffer;
}

export function encodeTopK(entries: readonly [number, number][]): Buffer {
  const b = Buffer.alloc(entries.length * 8);
  entries.forEach(([category, p], i) => {
    b.writeInt32LE(category, i * 4);
    b.writeFloatLE(p, entries.length * 4 + i * 4);
  });
  return b;
}

export function decodeTopK(b: Buffer): [number, number][] {
  const k = b.length / 8;
  return Array.from({ length: k }, (_, i) => [b.readInt32LE(i * 4), b.readFloatLE(k * 4 + i * 4)]);
}

/** Stored predictions per run and item (see migration 4). */
export class PredictionRepo {
  private readonly upsert: Statement;
  private readonly freshness: Statement;
  private readonly scored: Statement;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO predictions (run_id, item_id, label_id, top1, top1_prob, label_prob, top_k, size, mtime_ms)
       VALUES (@run, @item_id, @label_id, @top1, @top1_prob, @label_prob, @top_k, @size, @mtime_ms)`,
    );
    this.freshness = db.prepare(
      `SELECT i.id FROM items i JOIN json_each(?) j ON j.value = i.id
        LEFT JOIN predictions p ON p.run_id = ? AND p.item_id = i.id
        WHERE p.item_id IS NULL OR p.size != i.size OR p.mtime_ms != i.mtime_ms`,
    ).pluck();
    this.scored = db.prepare(
      `SELECT p.item_id, i.category_id, p.label_id, p.top1, p.top1_prob, p.top_k
         FROM json_each(?) j JOIN predictions p ON p.run_id = ? AND p.item_id = j.value JOIN items i ON i.id = p.item_id`,
    );
  }

  /** Of these items, the ones with no prediction from `run`, or one made before the file changed. */
  needing(run: string, itemIds: readonly number[]): number[] {
    return allForIds<number>(this.freshness, itemIds, run);
  }

  save(run: string, rows: readonly PredictionRow[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run({ run, ...r });
    })();
  }

  /** The stored predictions of these items, with their current labels. */
  forItems(run: string, itemIds: readonly number[]): ScoredItem[] {
    return allForIds<ScoredItem>(this.scored, itemIds, run);
  }

  /** Records that `run`'s predictions were brought up to date for a filter. */
  evaluated(run: string, filterKey: string, items: number): void {
    this.db.prepare('INSERT OR REPLACE INTO evaluations (run_id, filter, at, items) VALUES (?, ?, ?, ?)').run(run, filterKey, new Date().toISOString(), items);
  }

  lastEvaluated(run: string, filterKey: string): string | null {
    return (this.db.prepare('SELECT at FROM evaluations WHERE run_id = ? AND filter = ?').pluck().get(run, filterKey) as string | undefined) ?? null;
  }

  count(run: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM predictions WHERE run_id = ?').pluck().get(run) as number;
  }
}
