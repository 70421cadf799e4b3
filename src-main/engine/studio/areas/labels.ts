/** The category tree, grid pages, item details, and label edits with undo. */
import type { CategoryNode, ItemDetail } from '../../../shared/contract.js';
import { deleteCategory, renameCategory, visibleCategories } from '../../dataset/categoryEdits.js';
import { excludeItems, itemHistory, moveItems, redo, restoreItems, undo, undoBatch } from '../../dataset/labels.js';
import { withPredictions } from '../../predict/annotate.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type LabelMethods =
  | 'categories.tree' | 'categories.rename' | 'categories.delete' | 'items.page' | 'items.count' | 'items.detail'
  | 'labels.move' | 'labels.exclude' | 'labels.restore' | 'labels.undo' | 'labels.redo' | 'labels.undoBatch';

export function labelsArea(ctx: StudioContext): AreaHandlers<LabelMethods> {
  const project = () => ctx.need().project;
  return {
    // categories that hold no item in any status (emptied by moves or undo) are left out
    'categories.tree': () => {
      const broken = project().items.brokenPerCategory();
      return visibleCategories(project()).map(
        (c): CategoryNode => ({ id: c.id, name: c.name, leaf: c.leaf_name, parentId: c.parent_id, depth: c.depth, count: c.count, broken: broken.get(c.id) ?? 0 }),
      );
    },
    'categories.rename': (a) => edited(ctx, renameCategory(project(), a.from, a.to)),
    'categories.delete': (a) => {
      const result = deleteCategory(project(), a.name);
      ctx.labelsChanged(null, result.description);
      return result;
    },
    'items.page': (a) => withPredictions(project(), ctx.need().browse.page(a.filter, ctx.categoryIds(a.filter), a.offset, a.limit, ctx.predictedIds(a.filter)), a.filter.prediction?.run),
    'items.count': (a) => ctx.need().browse.count(a.filter, ctx.categoryIds(a.filter), ctx.predictedIds(a.filter)),
    'items.detail': (a): ItemDetail => {
      const p = project();
      const item = p.items.get(a.id);
      if (!item) throw new Error(`no item with id ${a.id}`);
      return {
        id: item.id, path: item.path, categoryId: item.category_id, status: item.status, reason: item.reason,
        width: item.width, height: item.height, size: item.size, format: item.format, mtimeMs: item.mtime_ms,
        history: itemHistory(p, item.path),
      };
    },
    'labels.move': (a) => edited(ctx, moveItems(project(), ctx.selectionIds(a.selection), a.category)),
    'labels.exclude': (a) => edited(ctx, excludeItems(project(), ctx.selectionIds(a.selection))),
    'labels.restore': (a) => edited(ctx, restoreItems(project(), ctx.selectionIds(a.selection))),
    'labels.undo': () => edited(ctx, undo(project())) ?? null,
    'labels.redo': () => edited(ctx, redo(project())) ?? null,
    'labels.undoBatch': (a) => {
      const result = undoBatch(project(), a.batch, a.withLater ?? false);
      if (result.undone) ctx.labelsChanged(result.batch, `undo ${result.description}`);
      return result;
    },
  };
}
