import type { Db, Statement } from '../connection.js';

export type Split = 'train' | 'validation';

export interface PlanItem {
  id: number;
  path: string;
  category_id: number;
  size: number;
  content_hash: string | null;
  split: Split | null;
  copies: number | null;
}

/** Splits, content hashes and the balance plan: what export and training read. */
export class PlanRepo {
  private readonly activeStmt: Statement;
  private readonly setSplitStmt: Statement;
  private readonly setHashStmt: Statement;
  private readonly sharedSizesStmt: Statement;

  constructor(private readonly db: Db) {
    this.activeStmt = db.prepare(
      `SELECT i.id, i.path, i.category_id, i.size, i.content_hash, i.split, b.copies
         FROM items i LEFT JOIN balance_items b ON b.item_id = i.id
        WHERE i.status = 'active' ORDER BY i.id`,
    );
    this.setSplitStmt = db.prepare('UPDATE items SET split = ? WHERE id IN (SELECT value FROM json_each(?))');
    this.setHashStmt = db.prepare('UPDATE items SET content_hash = ? WHERE id = ?');
    this.sharedSizesStmt = db.prepare(
      "SELECT id, path, size FROM items WHERE status = 'active' AND content_hash IS NULL AND size IN (SELECT size FROM items WHERE status = 'active' GROUP BY size HAVING COUNT(*) > 1)",
    );
  }

  activeItems(): PlanItem[] {
    return this.activeStmt.all() as PlanItem[];
  }

  /** Active items without a hash whose size another active item shares: the duplicate candidates. */
  unhashedWithSharedSize(): { id: number; path: string; size: number }[] {
    return this.sharedSizesStmt.all() as { id: number; path: string; size: number }[];
  }

  setHashes(rows: { id: number; hash: string }[]): void {
    this.db.transaction(() => rows.forEach((r) => this.setHashStmt.run(r.hash, r.id)))();
  }

  /** One statement per split value over a JSON list of ids: a million splits are two statements, not a million (half the time). */
  setSplits(assign: Map<number, Split>): void {
    const ids: Record<Split, number[]> = { train: [], validation: [] };
    for (const [id, split] of assign) ids[split].push(id);
    this.db.transaction(() => {
      for (const split of ['train', 'validation'] as const) if (ids[split].length > 0) this.setSplitStmt.run(split, JSON.stringify(ids[split]));
    })();
  }

  clearSplits(): void {
    this.db.prepare('UPDATE items SET split = NULL WHERE split IS NOT NULL').run();
  }

  replaceBalance(copies: Map<number, number>): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM balance_items').run();
      const insert = this.db.prepare('INSERT INTO balance_items (item_id, copies) VALUES (?, ?)');
      for (const [id, n] of copies) if (n !== 1) insert.run(id, n);
    })();
  }
}
