import type { Db, Statement } from '../connection.js';
import { joinCategoryPath, splitCategoryName } from '../../../shared/categoryName.js';

export interface CategoryRow {
  id: number;
  name: string;
  leaf_name: string;
  parent_id: number | null;
  depth: number;
}

export interface CategoryCount {
  id: number;
  name: string;
  count: number;
}

/** Categories form a tree by full name; creating "A > B > C" creates "A" and "A > B" too. */
export class CategoryRepo {
  private readonly byName = new Map<string, number>();
  private readonly selectByName: Statement;
  private readonly insertStmt: Statement;
  private readonly selectAll: Statement;
  private readonly countActive: Statement;
  private readonly countAll: Statement;
  private readonly subtreeStmt: Statement;
  private readonly statusInSubtree: Statement;
  private readonly deleteUnused: Statement;

  constructor(private readonly db: Db) {
    this.selectByName = db.prepare('SELECT id FROM categories WHERE name = ?');
    this.insertStmt = db.prepare(
      // OR IGNORE: another process may create the same category between our SELECT and INSERT
      'INSERT OR IGNORE INTO categories (name, leaf_name, parent_id, depth) VALUES (?, ?, ?, ?)',
    );
    this.selectAll = db.prepare('SELECT id, name, leaf_name, parent_id, depth FROM categories ORDER BY name');
    // Grouping every status over the (category_id, status) index needs no temporary B-tree:
    // 45 ms for 1M items where the status index plus a GROUP BY sort took 160 ms.
    this.countActive = db.prepare(
      `SELECT c.id, c.name, n.count FROM categories c JOIN (
          SELECT category_id, status, COUNT(*) AS count FROM items INDEXED BY items_category_status GROUP BY category_id, status
        ) n ON n.category_id = c.id AND n.status = 'active'
        ORDER BY c.name`,
    );
    this.countAll = db.prepare(
      `SELECT category_id AS id, SUM(status = 'active') AS active, COUNT(*) AS total
         FROM items INDEXED BY items_category_status GROUP BY category_id`,
    );
    // the category and everything below it, by name (a prefix match that needs no LIKE escaping)
    this.subtreeStmt = db.prepare(
      `SELECT id, name, leaf_name, parent_id, depth FROM categories
        WHERE name = @name OR substr(name, 1, length(@name) + 3) = @name || ' > ' ORDER BY depth, name`,
    );
    this.statusInSubtree = db.prepare(
      `SELECT status, COUNT(*) AS count FROM items WHERE category_id IN (SELECT value FROM json_each(?)) GROUP BY status ORDER BY status`,
    );
    // a category that is still an item's imported category (or a parent) stays: history names it
    this.deleteUnused = db.prepare(
      `DELETE FROM categories WHERE id = @id
          AND NOT EXISTS (SELECT 1 FROM items WHERE category_id = @id OR original_category_id = @id)
          AND NOT EXISTS (SELECT 1 FROM categories WHERE parent_id = @id)`,
    );
  }

  /**
   * Drops cached ids: another process (or a delete here) may have removed a category row
   * since it was cached. Label edits call this first; imports keep the cache for speed.
   */
  forgetCached(): void {
    this.byName.clear();
  }

  /** The id of the category with this full name, creating it and its parents if needed. */
  ensure(name: string): number {
    const cached = this.byName.get(name);
    if (cached !== undefined) return cached;
    const parts = splitCategoryName(name);
    let parentId: number | null = null;
    for (let depth = 0; depth < parts.length; depth++) {
      const full = joinCategoryPath(parts.slice(0, depth + 1));
      let id: number | undefined = this.byName.get(full);
      if (id === undefined) {
        let row = this.selectByName.get(full) as { id: number } | undefined;
        if (!row) {
          this.insertStmt.run(full, parts[depth], parentId, depth);
          row = this.selectByName.get(full) as { id: number };
        }
        id = row.id;
        this.byName.set(full, id);
      }
      parentId = id;
    }
    return parentId!;
  }

  findId(name: string): number | undefined {
    const cached = this.byName.get(name);
    if (cached !== undefined) return cached;
    const row = this.selectByName.get(name) as { id: number } | undefined;
    return row?.id;
  }

  nameOf(id: number): string {
    const row = this.db.prepare('SELECT name FROM categories WHERE id = ?').get(id) as { name: string } | undefined;
    if (!row) throw new Error(`no category with id ${id}`);
    return row.name;
  }

  all(): CategoryRow[] {
    return this.selectAll.all() as CategoryRow[];
  }

  /** Items per category that holds any: active ones and all of them (any status). */
  itemCounts(): { id: number; active: number; total: number }[] {
    return this.countAll.all() as { id: number; active: number; total: number }[];
  }

  /** The category with this full name and every category below it, parents first. */
  subtree(name: string): CategoryRow[] {
    return this.subtreeStmt.all({ name }) as CategoryRow[];
  }

  /** Items (any status) in these categories, per status. */
  statusCounts(ids: readonly number[]): { status: string; count: number }[] {
    return this.statusInSubtree.all(JSON.stringify(ids)) as { status: string; count: number }[];
  }

  /** Deletes a category that holds no items, is nobody's imported category and has no children; true when gone. */
  deleteIfUnused(id: number): boolean {
    const gone = this.deleteUnused.run({ id }).changes > 0;
    if (gone) this.byName.clear();
    return gone;
  }

  /** Active items per category that holds any (categories with none are left out). */
  activeCounts(): CategoryCount[] {
    return this.countActive.all() as CategoryCount[];
  }
}
