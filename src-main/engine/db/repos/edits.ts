import type { Db, Statement } from '../connection.js';
import type { ItemStatus } from '../../../shared/types.js';
import { BLOCK_BITS, bumpItemsVersion } from './pageIndex.js';

/**
 * Set-based label edits: a selection of item ids goes into a temporary table, then one
 * statement records the events and one applies the change, so moving 100,000 items is a
 * few statements, not 300,000.
 */
export class EditRepo {
  private readonly clearSel: Statement;
  private readonly addSel: Statement;
  private readonly moveEvents: Statement;
  private readonly moveApply: Statement;
  private readonly statusEvents: Statement;
  private readonly statusApply: Statement;
  private readonly revertCategory: Statement;
  private readonly revertStatus: Statement;
  private readonly replayCategory: Statement;
  private readonly replayStatus: Statement;
  private readonly unknownSel: Statement;
  private readonly countSel: Statement;
  private readonly countMovable: Statement;
  private readonly countStatus: Statement;
  private readonly categoryEvents: Statement;
  private readonly categoryApply: Statement;
  private readonly namesOfBatch: Statement;
  private readonly selectedBlocks: Statement;
  private readonly batchBlocks: Statement;

  constructor(private readonly db: Db) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS selection (id INTEGER PRIMARY KEY)');
    this.clearSel = db.prepare('DELETE FROM temp.selection');
    this.addSel = db.prepare('INSERT OR IGNORE INTO temp.selection (id) VALUES (?)');
    this.moveEvents = db.prepare(
      `INSERT INTO label_events (item_id, batch_id, field, from_value, to_value, at)
       SELECT i.id, @batch, 'category', c.name, @toName, @at
         FROM items i JOIN temp.selection s ON s.id = i.id JOIN categories c ON c.id = i.category_id
        WHERE i.category_id != @toId`,
    );
    this.moveApply = db.prepare(
      'UPDATE items SET category_id = @toId WHERE id IN (SELECT id FROM temp.selection) AND category_id != @toId',
    );
    this.statusEvents = db.prepare(
      `INSERT INTO label_events (item_id, batch_id, field, from_value, to_value, at)
       SELECT i.id, @batch, 'status', i.status, @to, @at
         FROM items i JOIN temp.selection s ON s.id = i.id WHERE i.status = @from`,
    );
    this.statusApply = db.prepare(
      'UPDATE items SET status = @to, reason = NULL WHERE id IN (SELECT id FROM temp.selection) AND status = @from',
    );
    const setCategory = (value: 'from_value' | 'to_value'): string =>
      `UPDATE items SET category_id = (SELECT c.id FROM categories c WHERE c.name = e.${value})
         FROM label_events e WHERE e.batch_id = ? AND e.field = 'category' AND e.item_id = items.id`;
    // only where the status is still what the batch left (an import may have marked it missing since)
    const setStatus = (value: 'from_value' | 'to_value', expected: 'from_value' | 'to_value'): string =>
      `UPDATE items SET status = e.${value}, reason = NULL
         FROM label_events e WHERE e.batch_id = ? AND e.field = 'status' AND e.item_id = items.id
          AND items.status = e.${expected}`;
    this.revertCategory = db.prepare(setCategory('from_value'));
    this.revertStatus = db.prepare(setStatus('from_value', 'to_value'));
    this.replayCategory = db.prepare(setCategory('to_value'));
    this.replayStatus = db.prepare(setStatus('to_value', 'from_value'));
    this.unknownSel = db.prepare('SELECT s.id FROM temp.selection s LEFT JOIN items i ON i.id = s.id WHERE i.id IS NULL ORDER BY s.id').pluck();
    this.countSel = db.prepare('SELECT COUNT(*) FROM temp.selection').pluck();
    this.countMovable = db.prepare('SELECT COUNT(*) FROM items WHERE id IN (SELECT id FROM temp.selection) AND category_id != ?').pluck();
    this.countStatus = db.prepare('SELECT COUNT(*) FROM items WHERE id IN (SELECT id FROM temp.selection) AND status = ?').pluck();
    // a whole category's items (every status) to another: renaming a category is this, per node
    this.categoryEvents = db.prepare(
      `INSERT INTO label_events (item_id, batch_id, field, from_value, to_value, at)
       SELECT i.id, @batch, 'category', @fromName, @toName, @at FROM items i WHERE i.category_id = @fromId`,
    );
    this.categoryApply = db.prepare('UPDATE items SET category_id = @toId WHERE category_id = @fromId');
    this.selectedBlocks = db.prepare(`SELECT DISTINCT id >> ${BLOCK_BITS} FROM temp.selection`).pluck();
    this.batchBlocks = db.prepare(`SELECT DISTINCT item_id >> ${BLOCK_BITS} FROM label_events WHERE batch_id = ?`).pluck();
    this.namesOfBatch = db.prepare(
      `SELECT from_value FROM label_events WHERE batch_id = ? AND field = 'category'
        UNION SELECT to_value FROM label_events WHERE batch_id = ? AND field = 'category'`,
    ).pluck();
  }

  /** Ids of the selection that are not items (deleted, or never were). */
  unknownSelected(): number[] {
    return this.unknownSel.all() as number[];
  }

  selectedCount(): number {
    return this.countSel.get() as number;
  }

  /** How many selected items a move to this category would change. */
  movableCount(toId: number): number {
    return this.countMovable.get(toId) as number;
  }

  /** How many selected items have this status. */
  selectedWithStatus(status: ItemStatus): number {
    return this.countStatus.get(status) as number;
  }

  /** Moves every item of one category to another, recording an event per item; returns how many. */
  moveCategory(batch: number, fromId: number, fromName: string, toId: number, toName: string): number {
    this.categoryEvents.run({ batch, fromId, fromName, toName, at: new Date().toISOString() });
    return this.changed(this.categoryApply.run({ fromId, toId }).changes, null);
  }

  /** Every category name a batch's events mention (undo and redo need them to exist). */
  categoryNames(batch: number): string[] {
    return (this.namesOfBatch.all(batch, batch) as (string | null)[]).filter((n): n is string => n !== null);
  }

  select(ids: Iterable<number>): void {
    this.clearSel.run();
    for (const id of ids) this.addSel.run(id);
  }

  /** Moves the selection to a category; returns how many items changed. */
  moveSelection(batch: number, toId: number, toName: string): number {
    const at = new Date().toISOString();
    this.moveEvents.run({ batch, toName, toId, at });
    return this.changed(this.moveApply.run({ toId }).changes, this.selectedBlocks);
  }

  /** Changes the status of the selected items that have status `from`; returns how many. */
  setSelectionStatus(batch: number, from: ItemStatus, to: ItemStatus): number {
    const at = new Date().toISOString();
    this.statusEvents.run({ batch, from, to, at });
    return this.changed(this.statusApply.run({ from, to }).changes, this.selectedBlocks);
  }

  /** Puts every item of a batch back as it was before (undo) or after (redo) the batch. */
  applyBatch(batch: number, direction: 'undo' | 'redo'): number {
    const [category, status] = direction === 'undo' ? [this.revertCategory, this.revertStatus] : [this.replayCategory, this.replayStatus];
    return this.changed(category.run(batch).changes + status.run(batch).changes, this.batchBlocks, batch);
  }

  /** Grid pages are found through counts kept per item version (pageIndex.ts): a change must bump it, naming the id blocks it touched. */
  private changed(n: number, blocks: Statement | null, ...params: unknown[]): number {
    if (n > 0) bumpItemsVersion(this.db, blocks ? (blocks.all(...params) as number[]) : null);
    return n;
  }
}
