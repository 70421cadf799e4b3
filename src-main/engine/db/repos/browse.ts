import type { Db, Statement } from '../connection.js';
import type { GridItem, ItemFilter } from '../../../shared/contract.js';

/**
 * The queries behind the studio's grid: pages of items in id order (import order, which
 * follows the folder tree) for a filter, and counts. Every filter shape maps onto an index
 * (status, id) or (category_id, status, id), so a page costs an index walk, not a sort.
 */
export class BrowseRepo {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  page(filter: ItemFilter, categoryIds: number[] | null, offset: number, limit: number): GridItem[] {
    const { where, params } = this.where(filter, categoryIds);
    const hint = categoryIds !== null && categoryIds.length > 1 ? 'INDEXED BY items_category_status' : '';
    const stmt = this.stmt(
      `page:${hint}${where}`,
      // ids first, from a covering index; then the rows of just those ids
      `SELECT id, path, category_id AS categoryId, status, reason, width, height FROM items
        WHERE id IN (SELECT id FROM items ${hint} ${where} ORDER BY id LIMIT ? OFFSET ?) ORDER BY id`,
    );
    return stmt.all(...params, limit, offset) as GridItem[];
  }

  count(filter: ItemFilter, categoryIds: number[] | null): number {
    const { where, params } = this.where(filter, categoryIds);
    return this.stmt(`count:${where}`, `SELECT COUNT(*) FROM items ${where}`).pluck().get(...params) as number;
  }

  /** The ids a filter selects (for "select all" actions), in page order. */
  ids(filter: ItemFilter, categoryIds: number[] | null): number[] {
    const { where, params } = this.where(filter, categoryIds);
    return this.stmt(`ids:${where}`, `SELECT id FROM items ${where} ORDER BY id`).pluck().all(...params) as number[];
  }

  private where(filter: ItemFilter, categoryIds: number[] | null): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (categoryIds !== null) {
      if (categoryIds.length === 1) {
        clauses.push('category_id = ?');
        params.push(categoryIds[0]);
      } else {
        // INDEXED BY in page(): walking the category index and sorting the matches is 8x
        // faster than scanning the status index with a filter (10 ms vs 82 ms at 1M items).
        clauses.push('category_id IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(categoryIds));
      }
    }
    if (filter.split === 'none') clauses.push('split IS NULL');
    else if (filter.split && filter.split !== 'any') {
      clauses.push('split = ?');
      params.push(filter.split);
    }
    const status = filter.status ?? 'active';
    if (status !== 'any') {
      clauses.push('status = ?');
      params.push(status);
    }
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private stmt(key: string, sql: string): Statement {
    let s = this.cache.get(key);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(key, s);
    }
    return s;
  }
}
