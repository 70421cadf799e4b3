/**
 * Fixing labels: move items to a category, exclude and restore them, undo and redo by
 * batch, and the history of one item. The dataset's files are never touched; every change
 * is a label event in the database.
 */
import { normalizeCategoryName } from '../../shared/categoryName.js';
import type { ItemHistory } from '../../shared/types.js';
import type { Project } from '../project.js';

export interface EditResult {
  batch: number;
  description: string;
  /** items whose label or status changed */
  changed: number;
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
    const shown = unknown.slice(0, 5).map((p) => `"${p}"`).join(', ');
    throw new Error(`not in this project: ${shown}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} (paths are relative to the dataset folder)`);
  }
  return ids;
}

export function moveItems(project: Project, ids: readonly number[], categoryName: string, source = 'user'): EditResult {
  const name = normalizeCategoryName(categoryName);
  return project.db.transaction(() => {
    const existed = project.categories.findId(name) !== undefined;
    const toId = project.categories.ensure(name);
    const description = `move ${plural(ids.length, 'item')} to ${name}${existed ? '' : ' (new category)'}`;
    const batch = project.labels.createBatch(source, description, true);
    project.edits.select(ids);
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
    const description = `${action} ${plural(ids.length, 'item')}`;
    const batch = project.labels.createBatch(source, description, true);
    project.edits.select(ids);
    return { batch, description, changed: project.edits.setSelectionStatus(batch, from, to) };
  })();
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
    const changed = project.edits.applyBatch(batch.id, direction);
    if (direction === 'undo') project.labels.markUndone(batch.id);
    else project.labels.markRedone(batch.id);
    return { batch: batch.id, description: batch.description, changed };
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

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
