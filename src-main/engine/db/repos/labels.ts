import type { Db, Statement } from '../connection.js';
import type { LabelField } from '../../../shared/types.js';

export interface BatchRow {
  id: number;
  at: string;
  source: string;
  description: string;
  undoable: number;
  state: 'done' | 'undone' | 'discarded';
}

export interface EventRow {
  id: number;
  item_id: number;
  batch_id: number;
  field: LabelField;
  from_value: string | null;
  to_value: string | null;
  at: string;
}

export interface HistoryRow extends EventRow {
  source: string;
  description: string;
  state: BatchRow['state'];
}

/** Batches of label events: the history of every item and the undo/redo stacks. */
export class LabelRepo {
  private readonly insertBatch: Statement;
  private readonly insertEvent: Statement;
  private readonly eventsOfBatch: Statement;
  private readonly historyOfItem: Statement;
  private readonly lastDone: Statement;
  private readonly lastUndone: Statement;
  private readonly setState: Statement;
  private readonly discardUndone: Statement;
  private readonly byId: Statement;
  private readonly laterTouching: Statement;
  private readonly changeMarkStmt: Statement;

  constructor(private readonly db: Db) {
    this.insertBatch = db.prepare(
      'INSERT INTO batches (at, source, description, undoable) VALUES (?, ?, ?, ?)',
    );
    this.insertEvent = db.prepare(
      'INSERT INTO label_events (item_id, batch_id, field, from_value, to_value, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.eventsOfBatch = db.prepare('SELECT * FROM label_events WHERE batch_id = ? ORDER BY id');
    this.historyOfItem = db.prepare(
      `SELECT e.*, b.source, b.description, b.state FROM label_events e JOIN batches b ON b.id = e.batch_id
        WHERE e.item_id = ? ORDER BY e.id`,
    );
    this.lastDone = db.prepare(
      "SELECT * FROM batches WHERE undoable = 1 AND state = 'done' ORDER BY id DESC LIMIT 1",
    );
    this.lastUndone = db.prepare(
      "SELECT * FROM batches WHERE undoable = 1 AND state = 'undone' ORDER BY undone_seq DESC LIMIT 1",
    );
    this.setState = db.prepare('UPDATE batches SET state = ?, undone_seq = ? WHERE id = ?');
    this.discardUndone = db.prepare("UPDATE batches SET state = 'discarded' WHERE state = 'undone'");
    this.byId = db.prepare('SELECT * FROM batches WHERE id = ?');
    this.laterTouching = db.prepare(
      `SELECT * FROM batches b WHERE b.id > @batch AND b.undoable = 1 AND b.state = 'done' AND EXISTS (
         SELECT 1 FROM label_events e WHERE e.batch_id = b.id
            AND e.item_id IN (SELECT item_id FROM label_events WHERE batch_id = @batch))
        ORDER BY b.id`,
    );
    // cheap maxima that move whenever labels, statuses or items change (see changeMark)
    this.changeMarkStmt = db.prepare(
      `SELECT (SELECT COALESCE(MAX(id), 0) FROM batches) || ':' || (SELECT COUNT(*) FROM batches WHERE state = 'done')
           || ':' || (SELECT COALESCE(MAX(undone_seq), 0) FROM batches) || ':' || (SELECT COALESCE(MAX(id), 0) FROM label_events)
           || ':' || (SELECT COALESCE(MAX(id), 0) FROM items)`,
    ).pluck();
  }

  get(batchId: number): BatchRow | undefined {
    return this.byId.get(batchId) as BatchRow | undefined;
  }

  /** Later batches still in effect that changed an item this batch changed. */
  laterTouchingSameItems(batchId: number): BatchRow[] {
    return this.laterTouching.all({ batch: batchId }) as BatchRow[];
  }

  /**
   * SQLite's data_version: it changes when another connection (another process: the CLI, a
   * second studio) commits, never for this connection's own writes.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * A fingerprint of what the studio shows (labels, statuses, items): it changes with every
   * batch, undo, redo, label event and new item, but not with a training run's metrics.
   */
  changeMark(): string {
    return this.changeMarkStmt.get() as string;
  }

  /**
   * Starts a batch. A new undoable batch ends the redo stack, as in every editor.
   */
  createBatch(source: string, description: string, undoable: boolean): number {
    if (undoable) this.discardUndone.run();
    return Number(this.insertBatch.run(new Date().toISOString(), source, description, undoable ? 1 : 0).lastInsertRowid);
  }

  addEvent(batchId: number, itemId: number, field: LabelField, from: string | null, to: string | null): void {
    this.insertEvent.run(itemId, batchId, field, from, to, new Date().toISOString());
  }

  events(batchId: number): EventRow[] {
    return this.eventsOfBatch.all(batchId) as EventRow[];
  }

  history(itemId: number): HistoryRow[] {
    return this.historyOfItem.all(itemId) as HistoryRow[];
  }

  lastUndoable(): BatchRow | undefined {
    return this.lastDone.get() as BatchRow | undefined;
  }

  lastRedoable(): BatchRow | undefined {
    return this.lastUndone.get() as BatchRow | undefined;
  }

  markUndone(batchId: number): void {
    const seq = (this.db.prepare('SELECT COALESCE(MAX(undone_seq), 0) + 1 FROM batches').pluck().get() as number) ?? 1;
    this.setState.run('undone', seq, batchId);
  }

  markRedone(batchId: number): void {
    this.setState.run('done', null, batchId);
  }
}
