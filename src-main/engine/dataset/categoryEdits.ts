/**
 * Renaming and deleting categories. A category with no items (in any status, itself and
 * below) is not shown (see `visibleCategories`): a category emptied by moves or by an undo
 * leaves the tree, and an undo that refills it brings it back. Renaming moves every item of
 * the category and its sub-categories to the new names as one undoable batch, so history,
 * undo and redo treat it like any move.
 */
import { CATEGORY_SEPARATOR, normalizeCategoryName } from '../../shared/categoryName.js';
import type { CategoryRow } from '../db/repos/categories.js';
import type { Project } from '../project.js';
import { plural, type EditResult } from './labels.js';

export interface VisibleCategory extends CategoryRow {
  /** active items directly in it */
  count: number;
}

/** Categories that hold an item (any status) themselves or below, with their active counts. */
export function visibleCategories(project: Project): VisibleCategory[] {
  const counts = new Map(project.categories.itemCounts().map((c) => [c.id, c]));
  const all = project.categories.all();
  const byId = new Map(all.map((c) => [c.id, c]));
  const shown = new Set<number>();
  for (const c of all) {
    if (!counts.get(c.id)?.total) continue;
    for (let at: CategoryRow | undefined = c; at && !shown.has(at.id); at = at.parent_id === null ? undefined : byId.get(at.parent_id)) shown.add(at.id);
  }
  return all.filter((c) => shown.has(c.id)).map((c) => ({ ...c, count: counts.get(c.id)?.active ?? 0 }));
}

/**
 * Renames a category and every sub-category ("A" -> "B" makes "A > x" "B > x") as one
 * undoable batch. Refused where the new name already holds items, itself or below (that
 * is a merge: balance --merge), or lies inside the old category.
 */
export function renameCategory(project: Project, oldName: string, newName: string, source = 'user'): EditResult {
  const from = normalizeCategoryName(oldName);
  const to = normalizeCategoryName(newName);
  if (from === to) throw new Error(`"${from}" already has that name`);
  if (to.startsWith(from + CATEGORY_SEPARATOR)) throw new Error(`cannot rename "${from}" to "${to}": the new name is inside the category itself`);
  return project.db.transaction((): EditResult => {
    project.categories.forgetCached();
    const nodes = project.categories.subtree(from);
    const held = total(project, nodes);
    if (nodes.length === 0 || held === 0) throw new Error(`there is no category "${from}" holding items in this project`);
    const renamed = (name: string): string => to + name.slice(from.length);
    const there = total(project, project.categories.subtree(to));
    if (there > 0) {
      throw new Error(`cannot rename "${from}" to "${to}": "${to}" already holds ${plural(there, 'item')}; merging categories is "shiwake balance --merge" (or Balance > Merge)`);
    }
    const sub = nodes.length > 1 ? ` and its ${plural(nodes.length - 1, 'sub-category')}` : '';
    const description = `rename category ${from} to ${to}${sub} (${plural(held, 'item')})`;
    const batch = project.labels.createBatch(source, description, true);
    let changed = 0;
    for (const node of nodes) {
      const toName = renamed(node.name);
      changed += project.edits.moveCategory(batch, node.id, node.name, project.categories.ensure(toName), toName);
    }
    return { batch, description, changed };
  })();
}

/**
 * Deletes an empty category and its empty sub-categories. One that still holds items (any
 * status) is refused with the counts. A category that is still some item's imported
 * category stays in the database (its history names it) but is no longer shown.
 */
export function deleteCategory(project: Project, name: string): { description: string; deleted: number } {
  const target = normalizeCategoryName(name);
  return project.db.transaction(() => {
    project.categories.forgetCached();
    const nodes = project.categories.subtree(target);
    if (nodes.length === 0) throw new Error(`there is no category "${target}" in this project`);
    const byStatus = project.categories.statusCounts(nodes.map((n) => n.id));
    if (byStatus.length > 0) {
      const held = byStatus.map((s) => `${s.count.toLocaleString('en-US')} ${s.status}`).join(', ');
      throw new Error(`"${target}" is not empty: it holds ${held} item${byStatus.length === 1 && byStatus[0]!.count === 1 ? '' : 's'}; move them to another category first`);
    }
    let deleted = 0;
    for (const node of [...nodes].reverse()) if (project.categories.deleteIfUnused(node.id)) deleted++;
    const kept = nodes.length - deleted;
    const also = nodes.length > 1 ? ` and its ${plural(nodes.length - 1, 'sub-category')}` : '';
    const note = kept > 0 ? ` (${plural(kept, 'name')} kept in the database only because item history refers to them)` : '';
    return { description: `deleted category ${target}${also}${note}`, deleted };
  })();
}

function total(project: Project, nodes: readonly { id: number }[]): number {
  return project.categories.statusCounts(nodes.map((n) => n.id)).reduce((s, c) => s + c.count, 0);
}
