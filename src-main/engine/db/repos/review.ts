import type { Db, Statement } from '../connection.js';
import { allForIds } from './chunks.js';

export interface EmbeddingRow {
  item_id: number;
  size: number;
  mtime_ms: number;
  scale: number;
  vector: Buffer;
}

export interface ReviewScoreRow {
  item_id: number;
  label_id: number;
  label_prob: number;
  suggested: number;
  suggested_prob: number;
  score: number;
  suspected: number;
}

export interface QueueRow extends ReviewScoreRow {
  path: string;
  category_id: number;
  size: number;
  mtime_ms: number;
}

/** int8 with one scale per vector (max |x| / 127): a quarter of float32, within 0.4% of the largest value. */
export function quantize(v: Float32Array): { scale: number; vector: Buffer } {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const scale = max > 0 ? max / 127 : 1;
  const out = Buffer.alloc(v.length);
  for (let i = 0; i < v.length; i++) out.writeInt8(Math.round(v[i]! / scale), i);
  return { scale, vector: out };
}

/** Embeddings, review scores and kept labels (migration 6). */
export class ReviewRepo {
  private readonly upsertEmbedding: Statement;
  private readonly embeddingFreshness: Statement;
  private readonly insertScore: Statement;

  constructor(private readonly db: Db) {
    this.upsertEmbedding = db.prepare('INSERT OR REPLACE INTO embeddings (run_id, item_id, size, mtime_ms, scale, vector) VALUES (?, ?, ?, ?, ?, ?)');
    this.embeddingFreshness = db.prepare(
      `SELECT i.id FROM items i JOIN json_each(?) j ON j.value = i.id
        LEFT JOIN embeddings e ON e.run_id = ? AND e.item_id = i.id
        WHERE e.item_id IS NULL OR e.size != i.size OR e.mtime_ms != i.mtime_ms`,
    ).pluck();
    this.insertScore = db.prepare(
      `INSERT INTO review_scores (run_id, item_id, label_id, label_prob, suggested, suggested_prob, score, suspected)
       VALUES (@run, @item_id, @label_id, @label_prob, @suggested, @suggested_prob, @score, @suspected)`,
    );
  }

  embeddingsNeeding(run: string, itemIds: readonly number[]): number[] {
    return allForIds<number>(this.embeddingFreshness, itemIds, run);
  }

  saveEmbeddings(run: string, rows: readonly EmbeddingRow[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.upsertEmbedding.run(run, r.item_id, r.size, r.mtime_ms, r.scale, r.vector);
    })();
  }

  /** Forgets a run's embeddings (a backbone asked at another image size embeds anew). */
  dropEmbeddings(run: string): void {
    this.db.prepare('DELETE FROM embeddings WHERE run_id = ?').run(run);
  }

  /** Every active item's embedding of a run with its current label, in item order. */
  *activeEmbeddings(run: string): Generator<{ item_id: number; category_id: number; scale: number; vector: Buffer }> {
    yield* this.db
      .prepare(
        `SELECT e.item_id, i.category_id, e.scale, e.vector FROM embeddings e JOIN items i ON i.id = e.item_id
          WHERE e.run_id = ? AND i.status = 'active' AND e.size = i.size AND e.mtime_ms = i.mtime_ms ORDER BY e.item_id`,
      )
      .iterate(run) as Generator<{ item_id: number; category_id: number; scale: number; vector: Buffer }>;
  }

  activeItemIds(): number[] {
    return this.db.prepare("SELECT id FROM items WHERE status = 'active' ORDER BY id").pluck().all() as number[];
  }

  /** Embeddings of the active items labelled with a category (for nearest neighbours). */
  embeddingsOfCategory(run: string, categoryId: number, limit = 200_000): { item_id: number; scale: number; vector: Buffer }[] {
    return this.db
      .prepare(`SELECT e.item_id, e.scale, e.vector FROM items i JOIN embeddings e ON e.run_id = ? AND e.item_id = i.id WHERE i.category_id = ? AND i.status = 'active' LIMIT ?`)
      .all(run, categoryId, limit) as { item_id: number; scale: number; vector: Buffer }[];
  }

  embeddingOf(run: string, itemId: number): { scale: number; vector: Buffer } | undefined {
    return this.db.prepare('SELECT scale, vector FROM embeddings WHERE run_id = ? AND item_id = ?').get(run, itemId) as { scale: number; vector: Buffer } | undefined;
  }

  scoreOf(run: string, itemId: number): ReviewScoreRow | undefined {
    return this.db.prepare('SELECT * FROM review_scores WHERE run_id = ? AND item_id = ?').get(run, itemId) as ReviewScoreRow | undefined;
  }

  embeddingCount(run: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM embeddings WHERE run_id = ?').pluck().get(run) as number;
  }

  /** Replaces a run's scores (one transaction: a queue never shows half of two reviews). */
  replaceScores(run: string, rows: readonly ReviewScoreRow[], meta: { method: string; details: unknown }): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM review_scores WHERE run_id = ?').run(run);
      for (const r of rows) this.insertScore.run({ run, ...r });
      this.db.prepare('INSERT OR REPLACE INTO review_meta (run_id, at, method, details) VALUES (?, ?, ?, ?)').run(run, new Date().toISOString(), meta.method, JSON.stringify(meta.details));
    })();
  }

  meta(run: string): { at: string; method: string; details: string } | undefined {
    return this.db.prepare('SELECT at, method, details FROM review_meta WHERE run_id = ?').get(run) as { at: string; method: string; details: string } | undefined;
  }

  /**
   * The open queue: suspected items, active, still carrying the label they were scored
   * against, and not kept with that label (a kept decision counts while its batch is done).
   */
  private queueWhere(labelled: number[] | null, suggested: number[] | null): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    let sql = `FROM review_scores s JOIN items i ON i.id = s.item_id
      WHERE s.run_id = ? AND s.suspected = 1 AND i.status = 'active' AND i.category_id = s.label_id
        AND NOT EXISTS (SELECT 1 FROM review_kept k JOIN batches b ON b.id = k.batch_id WHERE k.item_id = i.id AND k.category_id = i.category_id AND b.state = 'done')`;
    if (labelled) {
      sql += ' AND i.category_id IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(labelled));
    }
    if (suggested) {
      sql += ' AND s.suggested IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(suggested));
    }
    return { sql, params };
  }

  queue(run: string, labelled: number[] | null, suggested: number[] | null, offset: number, limit: number): QueueRow[] {
    const { sql, params } = this.queueWhere(labelled, suggested);
    return this.db.prepare(`SELECT s.*, i.path, i.category_id, i.size, i.mtime_ms ${sql} ORDER BY s.score DESC, s.item_id LIMIT ? OFFSET ?`).all(run, ...params, limit, offset) as QueueRow[];
  }

  queueCount(run: string, labelled: number[] | null, suggested: number[] | null): number {
    const { sql, params } = this.queueWhere(labelled, suggested);
    return this.db.prepare(`SELECT COUNT(*) ${sql}`).pluck().get(run, ...params) as number;
  }

  /** Suspected items of a filter, whether decided or not. */
  suspectedCount(run: string, labelled: number[] | null, suggested: number[] | null): number {
    const params: unknown[] = [run];
    let sql = 'SELECT COUNT(*) FROM review_scores s WHERE s.run_id = ? AND s.suspected = 1';
    if (labelled) {
      sql += ' AND s.label_id IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(labelled));
    }
    if (suggested) {
      sql += ' AND s.suggested IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(suggested));
    }
    return this.db.prepare(sql).pluck().get(...params) as number;
  }

  /** Items kept out of later rankings: kept with their current label (done batches only). */
  keptItems(): Set<number> {
    const ids = this.db
      .prepare(`SELECT DISTINCT k.item_id FROM review_kept k JOIN batches b ON b.id = k.batch_id JOIN items i ON i.id = k.item_id WHERE b.state = 'done' AND i.category_id = k.category_id`)
      .pluck()
      .all() as number[];
    return new Set(ids);
  }

  keep(batch: number, items: readonly { id: number; category_id: number }[]): void {
    const insert = this.db.prepare('INSERT INTO review_kept (item_id, category_id, batch_id) VALUES (?, ?, ?)');
    for (const i of items) insert.run(i.id, i.category_id, batch);
  }
}
