import { forwardRef, useMemo, useState } from 'react';
import { pushTo } from '../../../src-main/shared/collections';
import type { CategoryNode } from '../../../src-main/shared/contract';
import { CategoryDialog } from './CategoryDialog';

interface Props {
  nodes: CategoryNode[];
  selected: number | null;
  onSelect: (id: number | null) => void;
  onDropItems: (categoryName: string) => void;
}

interface TreeRow {
  node: CategoryNode;
  total: number;
  hasChildren: boolean;
}

type SortKey = 'name' | 'count';

/** The category tree with counts (own + sub-categories), collapsible, filterable, sortable, a drop target; right-click renames or deletes. */
export const CategoryTree = forwardRef<HTMLInputElement, Props>(function CategoryTree({ nodes, selected, onSelect, onDropItems }, filterRef) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [dropTarget, setDropTarget] = useState<number | null>(null);
  const [editing, setEditing] = useState<TreeRow | null>(null);

  const { rows, grandTotal } = useMemo(() => buildRows(nodes, sort), [nodes, sort]);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);
  const needle = filter.trim().toLowerCase();
  const visible = needle
    ? rows.filter((r) => r.node.name.toLowerCase().includes(needle))
    : rows.filter((r) => !hiddenByCollapse(r.node, byId, collapsed));

  const toggle = (id: number): void =>
    setCollapsed((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <aside className="tree" data-testid="tree">
      <div className="tree-tools">
        <input ref={filterRef} className="tree-filter" placeholder="Filter categories  ( / )" value={filter} onChange={(e) => setFilter(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && (setFilter(''), e.currentTarget.blur())} />
        <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort categories">
          <option value="name">A–Z</option>
          <option value="count">Count</option>
        </select>
      </div>
      <div className="tree-list">
        <div className={`tree-row ${selected === null ? 'active' : ''}`} onClick={() => onSelect(null)}>
          <span className="tree-name">All categories</span>
          <span className="tree-count">{grandTotal.toLocaleString()}</span>
        </div>
        {visible.map(({ node, total, hasChildren }) => (
          <div
            key={node.id}
            className={`tree-row ${selected === node.id ? 'active' : ''} ${dropTarget === node.id ? 'drop' : ''}`}
            style={{ paddingLeft: 8 + (needle ? 0 : node.depth * 14) }}
            data-testid="tree-row"
            data-name={node.name}
            data-count={total}
            onClick={() => onSelect(node.id)}
            onContextMenu={(e) => (e.preventDefault(), setEditing({ node, total, hasChildren }))}
            onDragOver={(e) => isItemDrag(e) && (e.preventDefault(), setDropTarget(node.id))}
            onDragLeave={() => setDropTarget(null)}
            onDrop={(e) => (setDropTarget(null), isItemDrag(e) && (e.preventDefault(), onDropItems(node.name)))}
          >
            <span className="tree-toggle" onClick={(e) => (e.stopPropagation(), hasChildren && toggle(node.id))}>
              {hasChildren ? (collapsed.has(node.id) ? '▸' : '▾') : ''}
            </span>
            <span className="tree-name" title={node.name}>{needle ? node.name : node.leaf}</span>
            {node.broken > 0 && <span className="status-broken" title={`${node.broken} broken (cannot be decoded): see Import problems`} data-testid="tree-broken">⚠{node.broken}</span>}
            <span className="tree-count">{total.toLocaleString()}</span>
          </div>
        ))}
        {visible.length === 0 && <div className="tree-empty">No category matches “{filter}”.</div>}
      </div>
      {editing && <CategoryDialog node={editing.node} activeTotal={editing.total} onClose={() => setEditing(null)} />}
    </aside>
  );
});

/** Grid items being dragged, not files from the desktop (those go to the Classify view, never move the selection). */
const isItemDrag = (e: React.DragEvent): boolean => !e.dataTransfer.types.includes('Files');

function buildRows(nodes: CategoryNode[], sort: SortKey): { rows: TreeRow[]; grandTotal: number } {
  const children = new Map<number | null, CategoryNode[]>();
  for (const n of nodes) pushTo(children, n.parentId, n);
  const totals = new Map<number, number>();
  const total = (n: CategoryNode): number => {
    const cached = totals.get(n.id);
    if (cached !== undefined) return cached;
    const t = n.count + (children.get(n.id) ?? []).reduce((s, c) => s + total(c), 0);
    totals.set(n.id, t);
    return t;
  };
  const rows: TreeRow[] = [];
  const visit = (parent: number | null): void => {
    const list = [...(children.get(parent) ?? [])];
    list.sort(sort === 'name' ? (a, b) => a.leaf.localeCompare(b.leaf) : (a, b) => total(b) - total(a) || a.leaf.localeCompare(b.leaf));
    for (const n of list) {
      rows.push({ node: n, total: total(n), hasChildren: children.has(n.id) });
      visit(n.id);
    }
  };
  visit(null);
  const grandTotal = (children.get(null) ?? []).reduce((s, n) => s + total(n), 0);
  return { rows, grandTotal };
}

function hiddenByCollapse(node: CategoryNode, byId: Map<number, CategoryNode>, collapsed: Set<number>): boolean {
  if (collapsed.size === 0) return false;
  let p = node.parentId;
  while (p !== null) {
    if (collapsed.has(p)) return true;
    p = byId.get(p)?.parentId ?? null;
  }
  return false;
}
