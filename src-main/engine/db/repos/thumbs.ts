import path from 'node:path';
import { openDatabase, type Db, type Statement } from '../connection.js';

/**
 * Thumbnails live in one SQLite file beside the project database (thumbnails/thumbs.db),
 * not a million tiny files: one B-tree lookup per thumbnail, one file to copy or delete.
 * A thumbnail is valid while the item's size and mtime are those it was made from.
 */
export class ThumbRepo {
  readonly db: Db;
  private readonly getStmt: Statement;
  private readonly putStmt: Statement;
  private readonly haveStmt: Statement;

  constructor(projectDir: string) {
    this.db = openDatabase(path.join(projectDir, 'thumbnails', 'thumbs.db'), { migrateTo: 0 });
    this.db.exec(`CREATE TABLE IF NOT EXISTS thumbs (
      item_id INTEGER PRIMARY KEY, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL, data BLOB NOT NULL) STRICT`);
    this.getStmt = this.db.prepare('SELECT data FROM thumbs WHERE item_id = ? AND size = ? AND mtime_ms = ?').pluck();
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO thumbs (item_id, size, mtime_ms, data) VALUES (?, ?, ?, ?)');
    this.haveStmt = this.db.prepare('SELECT item_id FROM thumbs').pluck();
  }

  get(itemId: number, size: number, mtimeMs: number): Buffer | undefined {
    return this.getStmt.get(itemId, size, mtimeMs) as Buffer | undefined;
  }

  put(itemId: number, size: number, mtimeMs: number, data: Buffer): void {
    this.putStmt.run(itemId, size, mtimeMs, data);
  }

  putMany(rows: { itemId: number; size: number; mtimeMs: number; data: Buffer }[]): void {
    this.db.transaction(() => rows.forEach((r) => this.put(r.itemId, r.size, r.mtimeMs, r.data)))();
  }

  existingIds(): Set<number> {
    return new Set(this.haveStmt.all() as number[]);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
