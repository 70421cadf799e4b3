/** The category tree, grid pages, item details, and label edits with undo. */
import type { CategoryNode, ItemDetail } from '../../../shared/contract.js';
import { excludeItems, itemHistory, moveItems, redo, restoreItems, undo } from '../../dataset/labels.js';
import { edited, type AreaHandlers, type StudioContext } from '../context.js';

type LabelMethods = 'categories.tree' | 'items.page' | 'items.count' | 'items.detail' | 'labels.move' | 'labels.exclude' | 'labels.restore' | 'labels.undo' | 'labels.redo';

export function labelsArea(ctx: StudioContext): AreaHandlers<LabelMethods> {
  const project = () => ctx.need().project;
  return {
    'categories.tree': () => {
      const p = project();
      const counts = new Map(p.categories.activeCounts().map((c) => [c.id, c.count]));
      return p.categories.all().map(
        (c): CategoryNode => ({ id: c.id, name: c.name, leaf: c.leaf_name, parentId: c.parent_id, depth: c.depth, count: counts.get(c.id) ?? 0 }),
      );
    },
    'items.page': (a) => ctx.need().browse.page(a.filter, ctx.categoryIds(a.filter), a.offset, a.limit),
    'items.count': (a) => ctx.need().browse.count(a.filter, ctx.categoryIds(a.filter)),
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
  };
}
