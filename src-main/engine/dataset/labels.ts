/**
 * Fixing labels: move items to a category, exclude and restore them, undo and redo by
 * batch, and the history of one item. The dataset's files are never touched; every change
 * is a label event in the database.
 */
import { normalizeCategoryName } from '../../shared/categoryName.js';
import type { ItemHistory } from '../../shared/types.js';
import type { Project } from '../project.js';

export interface EditResult {
  /** the batch recorded, or null when nothing changed (no batch is recorded then, and redo is kept) */
  batch: number | null;
  description: string;
  /** items whose label or status changed */
  changed: number;
}

export interface BatchRef {
  batch: number;
  description: string;
}

export interface UndoBatchResult extends EditResult {
  /** false when refused: later changes to the same items are still in effect (see `later`) */
  undone: boolean;
  /** later batches in effect that changed the same items (undone first with `withLater`) */
  later: BatchRef[];
}

/** Resolves item paths to ids; unknown paths are an error that lists them. */
export function idsForPaths(project: Project, paths: readonly string[]): number[] {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const p of paths) {
    const item = project.items.findByPath(p.replaceAll('\\', '/').replace(/^\.\//, ''));
    if (item) ids.push(item.id);
    else unknown.push(p);
  }
  if (unknown.length > 0) {
    throw new Error(`not in this project: ${listSome(unknown.map((p) => `"${p}"`))} (paths are relative to the dataset folder)`);
  }
  return ids;
}

/**
 * Moves items to a category (created when new). Items already there are left alone and
 * counted apart; when none would change, nothing is recorded (the redo stack survives).
 */
export function moveItems(project: Project, ids: readonly number[], categoryName: string, source = 'user'): EditResult {
  const name = normalizeCategoryName(categoryName);
  return project.db.transaction(() => {
    const total = selectKnown(project, ids);
    if (total === 0) return { batch: null, description: 'nothing to move: no items selected', changed: 0 };
    const existingId = project.categories.findId(name);
    const moving = existingId === undefined ? total : project.edits.movableCount(existingId);
    const already = total - moving;
    if (moving === 0) return { batch: null, description: `nothing to move: ${already === 1 ? 'the item is' : `all ${plural(already, 'item')} are`} already in ${name}`, changed: 0 };
    // a category emptied earlier keeps its row but is not shown: to the person it is new
    const isNew = existingId === undefined || project.categories.statusCounts(project.categories.subtree(name).map((c) => c.id)).length === 0;
    const toId = project.categories.ensure(name);
    const description = `move ${plural(moving, 'item')} to ${name}${isNew ? ' (new category)' : ''}${already ? ` (${formatCount(already)} already there)` : ''}`;
    const batch = project.labels.createBatch(source, description, true);
    return { batch, description, changed: project.edits.moveSelection(batch, toId, name) };
  })();
}

export function excludeItems(project: Project, ids: readonly number[], source = 'user'): EditResult {
  return changeStatus(project, ids, 'exclude', source);
}

export function restoreItems(project: Project, ids: readonly number[], source = 'user'): EditResult {
  return changeStatus(project, ids, 'restore', source);
}

function changeStatus(project: Project, ids: readonly number[], action: 'exclude' | 'restore', source: string): EditResult {
  const [from, to] = action === 'exclude' ? (['active', 'excluded'] as const) : (['excluded', 'active'] as const);
  return project.db.transaction(() => {
    const total = selectKnown(project, ids);
    if (total === 0) return { batch: null, description: `nothing to ${action}: no items selected`, changed: 0 };
    const changing = project.edits.selectedWithStatus(from);
    const others = total - changing;
    if (changing === 0) return { batch: null, description: `nothing to ${action}: ${total === 1 ? 'the item is not' : `none of the ${plural(total, 'item')} is`} ${from}`, changed: 0 };
    const description = `${action} ${plural(changing, 'item')}${others ? ` (${formatCount(others)} not ${from}, left as they are)` : ''}`;
    const batch = project.labels.createBatch(source, description, true);
    return { batch, description, changed: project.edits.setSelectionStatus(batch, from, to) };
  })();
}

/** Puts the ids in the selection table; ids that are not items are an error naming them. */
function selectKnown(project: Project, ids: readonly number[]): number {
  project.edits.select(ids);
  const unknown = project.edits.unknownSelected();
  if (unknown.length > 0) throw new Error(`no item with id ${listSome(unknown.map(String))} in this project (deleted, or from another project)`);
  return project.edits.selectedCount();
}

/** Undoes the last undoable batch; undefined when there is nothing to undo. */
export function undo(project: Project): EditResult | undefined {
  return stackStep(project, 'undo');
}

/** Redoes the last undone batch; undefined when there is nothing to redo. */
export function redo(project: Project): EditResult | undefined {
  return stackStep(project, 'redo');
}

function stackStep(project: Project, direction: 'undo' | 'redo'): EditResult | undefined {
  return project.db.transaction(() => {
    const batch = direction === 'undo' ? project.labels.lastUndoable() : project.labels.lastRedoable();
    if (!batch) return undefined;
    return { batch: batch.id, description: batch.description, changed: applyStep(project, batch.id, direction) };
  })();
}

function applyStep(project: Project, batch: number, direction: 'undo' | 'redo'): number {
  // a category the batch names may have been deleted since it emptied: bring it back
  project.categories.forgetCached();
  for (const name of project.edits.categoryNames(batch)) project.categories.ensure(name);
  const changed = project.edits.applyBatch(batch, direction);
  if (direction === 'undo') project.labels.markUndone(batch);
  else project.labels.markRedone(batch);
  return changed;
}

/**
 * Undoes one named batch (the toast's Undo button), not simply the newest. Where a later
 * batch still in effect changed the same items, undoing this one alone would silently
 * overwrite that later change (or be overwritten by it), so it is refused, naming those
 * batches; with `withLater` they are undone too, newest first (and any later batches that
 * touched theirs), then this one.
 */
export function undoBatch(project: Project, batchId: number, withLater = false): UndoBatchResult {
  return project.db.transaction((): UndoBatchResult => {
    const batch = project.labels.get(batchId);
    if (!batch) throw new Error(`there is no change with batch number ${batchId} in this project`);
    if (!batch.undoable) throw new Error(`batch ${batchId} (${batch.description}) cannot be undone: only label changes can`);
    if (batch.state !== 'done') throw new Error(`batch ${batchId} (${batch.description}) is already undone`);
    const later = new Map<number, BatchRef>();
    const queue = [batchId];
    while (queue.length > 0) {
      for (const b of project.labels.laterTouchingSameItems(queue.pop()!)) {
        if (!later.has(b.id)) later.set(b.id, { batch: b.id, description: b.description }), queue.push(b.id);
      }
    }
    const laterList = [...later.values()].sort((a, b) => a.batch - b.batch);
    if (laterList.length > 0 && !withLater) {
      const names = listSome(laterList.map((b) => `batch ${b.batch} "${b.description}"`));
      return {
        undone: false, later: laterList, batch: batchId, changed: 0,
        description: `"${batch.description}" was not undone: later changes to the same items are still in effect (${names}); undo them first, or undo them too`,
      };
    }
    let changed = 0;
    for (const b of [...laterList].reverse()) changed += applyStep(project, b.batch, 'undo');
    changed += applyStep(project, batchId, 'undo');
    const also = laterList.length > 0 ? ` and ${plural(laterList.length, 'later change')}` : '';
    return { undone: true, later: laterList, batch: batchId, changed, description: `${batch.description}${also}` };
  })();
}

export function itemHistory(project: Project, itemPath: string): ItemHistory {
  const [id] = idsForPaths(project, [itemPath]);
  const item = project.items.get(id!)!;
  return {
    path: item.path,
    originalCategory: project.categories.nameOf(item.original_category_id),
    category: project.categories.nameOf(item.category_id),
    status: item.status,
    reason: item.reason,
    events: project.labels.history(item.id).map((e) => ({
      batch: e.batch_id,
      at: e.at,
      source: e.source,
      description: e.description,
      field: e.field,
      from: e.from_value,
      to: e.to_value,
      inEffect: e.state === 'done',
    })),
  };
}

export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function listSome(names: string[], shown = 5): string {
  return `${names.slice(0, shown).join(', ')}${names.length > shown ? ` and ${names.length - shown} more` : ''}`;
}
