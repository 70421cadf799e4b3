import type { Db, Statement } from '../connection.js';
import type { ItemStatus } from '../../../shared/types.js';
import { allForIds } from './chunks.js';
import { blockOf, bumpItemsVersion } from './pageIndex.js';

export interface ItemRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  format: string | null;
  original_category_id: number;
  category_id: number;
  status: ItemStatus;
  reason: string | null;
}

export interface ExportFacts {
  id: number;
  size: number;
  mtime_ms: number;
  format: string | null;
  decoded: 0 | 1;
}

export type NewItem = Omit<ItemRow, 'id' | 'original_category_id'>;

export type ProbeUpdate = Pick<ItemRow, 'size' | 'mtime_ms' | 'width' | 'height' | 'format'>;


export class ItemRepo {
  private readonly byPath: Statement;
  private readonly byId: Statement;
  private readonly insertStmt: Statement;
  private readonly probeStmt: Statement;
  private readonly statusStmt: Statement;
  private readonly categoryStmt: Statement;
  private readonly statusCounts: Statement;
  private readonly brokenStmt: Statement;
  private readonly idsNotMissing: Statement;
  private exportFactsStmt: Statement | undefined;

  constructor(private readonly db: Db) {
    this.byPath = db.prepare('SELECT * FROM items WHERE path = ?');
    this.byId = db.prepare('SELECT * FROM items WHERE id = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO items (path, size, mtime_ms, width, height, format, original_category_id, category_id, status, reason)
       VALUES (@path, @size, @mtime_ms, @width, @height, @format, @category_id, @category_id, @status, @reason)`,
    );
    this.probeStmt = db.prepare(
      // a changed file must be decoded again before an export trusts it
      'UPDATE items SET size = @size, mtime_ms = @mtime_ms, width = @width, height = @height, format = @format, content_hash = NULL, decoded = 0 WHERE id = @id',
    );
    this.statusStmt = db.prepare('UPDATE items SET status = ?, reason = ? WHERE id = ?');
    this.categoryStmt = db.prepare('UPDATE items SET category_id = ? WHERE id = ?');
    this.statusCounts = db.prepare('SELECT status, COUNT(*) AS n FROM items GROUP BY status');
    this.brokenStmt = db.prepare("SELECT path, reason FROM items WHERE status = 'broken' ORDER BY path");
    this.idsNotMissing = db.prepare("SELECT id FROM items WHERE status != 'missing'").pluck();
  }

  findByPath(path: string): ItemRow | undefined {
    return this.byPath.get(path) as ItemRow | undefined;
  }

  get(id: number): ItemRow | undefined {
    return this.byId.get(id) as ItemRow | undefined;
  }

  insert(item: NewItem): number {
    return Number(this.insertStmt.run(item).lastInsertRowid);
  }

  updateProbe(id: number, probe: ProbeUpdate): void {
    this.probeStmt.run({ id, ...probe });
  }

  setStatus(id: number, status: ItemStatus, reason: string | null): void {
    if (this.statusStmt.run(status, reason, id).changes > 0) bumpItemsVersion(this.db, [blockOf(id)]);
  }

  setCategory(id: number, categoryId: number): void {
    if (this.categoryStmt.run(categoryId, id).changes > 0) bumpItemsVersion(this.db, [blockOf(id)]);
  }

  countsByStatus(): Record<ItemStatus, number> {
    const counts: Record<ItemStatus, number> = { active: 0, excluded: 0, missing: 0, broken: 0 };
    for (const row of this.statusCounts.all() as { status: ItemStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  broken(): { path: string; reason: string }[] {
    return this.brokenStmt.all() as { path: string; reason: string }[];
  }

  /** Broken items with their ids, path order. */
  brokenWithIds(): { id: number; path: string; reason: string }[] {
    return this.db.prepare("SELECT id, path, reason FROM items WHERE status = 'broken' ORDER BY path").all() as { id: number; path: string; reason: string }[];
  }

  /** Broken items per category (the tree shows them). */
  brokenPerCategory(): Map<number, number> {
    const rows = this.db
      .prepare("SELECT category_id AS id, COUNT(*) AS n FROM items INDEXED BY items_category_status WHERE status = 'broken' GROUP BY category_id")
      .all() as { id: number; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Ids of every item that is not already missing, streamed (the set can be 1M long). */
  *presentIds(): Generator<number> {
    for (const id of this.idsNotMissing.iterate() as IterableIterator<number>) yield id;
  }

  /** Active items whose file has not been fully decoded since it last changed, in id order. */
  undecodedActiveIds(): number[] {
    return this.db.prepare("SELECT id FROM items WHERE decoded = 0 AND status = 'active' ORDER BY id").pluck().all() as number[];
  }

  /** What an export needs to trust a file without decoding it: the row's size, time, format and whether it was decoded; read in chunks of ids. */
  exportFacts(ids: readonly number[]): ExportFacts[] {
    this.exportFactsStmt ??= this.db.prepare('SELECT i.id, i.size, i.mtime_ms, i.format, i.decoded FROM json_each(?) j JOIN items i ON i.id = j.value');
    return allForIds<ExportFacts>(this.exportFactsStmt, ids);
  }

  /** Records a whole, strict decode of these items' files (skipping any whose file changed meanwhile). */
  setDecoded(rows: readonly { id: number; size: number; mtime_ms: number }[]): void {
    const stmt = this.db.prepare('UPDATE items SET decoded = 1 WHERE id = ? AND size = ? AND mtime_ms = ?');
    for (const r of rows) stmt.run(r.id, r.size, r.mtime_ms);
  }

  /** Ids of active items in id order (thumbnail pre-generation). */
  activeIds(): number[] {
    return this.db.prepare("SELECT id FROM items WHERE status = 'active' ORDER BY id").pluck().all() as number[];
  }

  /** Every item of a category, whatever its status (merging categories). */
  idsInCategory(categoryId: number): number[] {
    return this.db.prepare('SELECT id FROM items WHERE category_id = ?').pluck().all(categoryId) as number[];
  }

  /** The format of each active item, for decoding (BMP needs our own decoder). */
  /** each active item's format and size as imported (null: not known) */
  activeImages(): Map<number, { format: string | null; width: number | null; height: number | null }> {
    const rows = this.db.prepare("SELECT id, format, width, height FROM items WHERE status = 'active'").all() as { id: number; format: string | null; width: number | null; height: number | null }[];
    return new Map(rows.map(({ id, ...image }) => [id, image]));
  }

  /** The status an item had when it last went missing (to give an exclusion back when the file returns). */
  statusBeforeMissing(id: number): ItemStatus | undefined {
    return this.db
      .prepare("SELECT from_value FROM label_events WHERE item_id = ? AND field = 'status' AND to_value = 'missing' ORDER BY id DESC LIMIT 1")
      .pluck()
      .get(id) as ItemStatus | undefined;
  }

  maxId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) FROM items').pluck().get() as number) ?? 0;
  }
}
