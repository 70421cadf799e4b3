import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CategoryNode, EditOutcome, GridItem, ItemFilter } from '../../../src-main/shared/contract';
import { useEvent, useQuery } from '../../api/hooks';
import { call, media } from '../../api/transport';
import { countOf } from '../../../src-main/shared/count';
import { useNotify } from '../../components/Toasts';
import { useCommandHandlers, type CommandRun } from '../../commands/registry';
import type { CommandId } from '../../../src-main/shared/commands';
import { BrowseQueryBar } from './BrowseQueryBar';
import { CategoryTree } from './CategoryTree';
import { DetailPanel } from './DetailPanel';
import { MovePalette } from './MovePalette';
import { emptySelection, selectionCount, toSelection, type GridSelection } from './selection';
import { ThumbGrid } from './ThumbGrid';
import { undoBatchAction } from './undoBatch';
import { useBrowseQuery } from './useBrowseQuery';
import { usePagedItems } from './usePagedItems';
import { useRecentCategories } from './useRecentCategories';

type StatusFilter = NonNullable<ItemFilter['status']>;
type SplitFilter = NonNullable<ItemFilter['split']>;

export function BrowseView({ active, onSelectionCount }: { active: boolean; onSelectionCount: (n: number) => void }) {
  const notify = useNotify();
  const [categoryId, setCategoryId] = useState<number | null>(null);
  const [status, setStatus] = useState<StatusFilter>('active');
  const [split, setSplit] = useState<SplitFilter>('any');
  const [thumbSize, setThumbSize] = useState(128);
  const [version, setVersion] = useState(0);
  const [sel, setSel] = useState<GridSelection>(emptySelection);
  const [columns, setColumns] = useState(1);
  const [overlay, setOverlay] = useState<'none' | 'palette' | 'preview'>('none');
  const treeFilter = useRef<HTMLInputElement>(null);
  const recent = useRecentCategories();

  const query = useBrowseQuery({ categoryId, setCategoryId, setStatus, setSplit });
  const filter: ItemFilter = useMemo(() => ({ ...(categoryId === null ? {} : { categoryId }), status, ...(split === 'any' ? {} : { split }), ...query.filter }), [categoryId, status, split, query.filter]);
  const tree = useQuery('categories.tree', {}, ['onLabelsChanged']);
  const count = useQuery('items.count', { filter }, ['onLabelsChanged']);
  const total = count.data ?? 0;
  const { get, ensure } = usePagedItems(filter, version);
  useEvent('onLabelsChanged', () => setVersion((v) => v + 1));

  const categories = useMemo(() => new Map((tree.data ?? []).map((c) => [c.id, c])), [tree.data]);
  const cursorItem = get(Math.min(sel.cursor, Math.max(0, total - 1)));
  const selected = selectionCount(sel, total);
  useEffect(() => onSelectionCount(selected), [selected, onSelectionCount]);
  useEffect(() => setSel(emptySelection), [filter]);

  const reportEdit = useCallback(
    (verb: string, r: EditOutcome | null) => {
      if (!r) return notify(`Nothing to ${verb.toLowerCase()}.`);
      // a change that changed nothing recorded no batch: nothing to undo
      notify(`${verb}${verb ? ': ' : ''}${r.description}`, verb || r.batch === null ? {} : { action: undoBatchAction(notify, r.batch) });
    },
    [notify],
  );
  const run = useCallback(
    (p: Promise<EditOutcome | null>, verb = '') => p.then((r) => reportEdit(verb, r), (e: Error) => notify(e.message, { kind: 'error' })),
    [notify, reportEdit],
  );

  const moveTo = (name: string): void => {
    const selection = toSelection(sel, filter, cursorItem?.id);
    setOverlay('none');
    if (!selection) return;
    recent.use(name);
    void run(call('labels.move', { selection, category: name }));
    setSel((s) => ({ ...emptySelection, cursor: s.cursor }));
  };

  /** Moves the cursor from where it is now (keys can arrive faster than renders). */
  const moveCursor = (to: (cursor: number) => number, extend: boolean): void => {
    setSel((s) => {
      const cursor = Math.max(0, Math.min(total - 1, to(s.cursor)));
      if (!extend) return { ids: new Set(), all: false, anchor: cursor, cursor };
      const anchor = s.anchor ?? s.cursor;
      const { ids, complete } = idsBetween(anchor, cursor, get);
      if (!complete) void fillRange(anchor, cursor);
      return { ...s, ids, anchor, cursor, all: false };
    });
  };

  /** A range that reaches past the loaded pages (Shift+End on 1M items): fetch its ids, then select them. */
  const fillRange = async (anchor: number, cursor: number): Promise<void> => {
    const ids = new Set<number>();
    try {
      for (let offset = Math.min(anchor, cursor); offset <= Math.max(anchor, cursor); offset += 5000) {
        const limit = Math.min(5000, Math.max(anchor, cursor) - offset + 1);
        for (const item of await call('items.page', { filter, offset, limit })) ids.add(item.id);
      }
    } catch (e) {
      return notify((e as Error).message, { kind: 'error' });
    }
    setSel((s) => (s.anchor === anchor && s.cursor === cursor ? { ...s, ids } : s));
  };

  // what the Browse commands do (keys, menu and palette come from the command table: src-main/shared/commands.ts)
  const shift = (e?: KeyboardEvent): boolean => e?.shiftKey ?? false;
  const commands: Partial<Record<CommandId, CommandRun>> = {
    left: (e) => moveCursor((c) => c - 1, shift(e)),
    right: (e) => moveCursor((c) => c + 1, shift(e)),
    up: (e) => moveCursor((c) => c - columns, shift(e)),
    down: (e) => moveCursor((c) => c + columns, shift(e)),
    pageUp: (e) => moveCursor((c) => c - columns * 5, shift(e)),
    pageDown: (e) => moveCursor((c) => c + columns * 5, shift(e)),
    home: (e) => moveCursor(() => 0, shift(e)),
    end: (e) => moveCursor(() => total - 1, shift(e)),
    selectAll: () => setSel((s) => ({ ...s, all: true, ids: new Set() })),
    preview: () => setOverlay((o) => (o === 'preview' ? 'none' : 'preview')),
    move: () => setOverlay('palette'),
    moveRecent: (e) => {
      const name = recent.names[Number(e?.key ?? '1') - 1];
      if (name) moveTo(name);
    },
    exclude: () => {
      const selection = toSelection(sel, filter, cursorItem?.id);
      if (selection) void run(call(status === 'excluded' ? 'labels.restore' : 'labels.exclude', { selection }));
    },
    undo: () => void run(call('labels.undo', {}), 'Undone'),
    redo: () => void run(call('labels.redo', {}), 'Redone'),
    filterTree: () => treeFilter.current?.focus(),
    clear: () => (overlay !== 'none' ? setOverlay('none') : setSel((s) => ({ ...emptySelection, cursor: s.cursor }))),
  };
  // hidden views handle nothing; behind the move palette only Esc works
  useCommandHandlers(!active ? {} : overlay === 'palette' ? { clear: commands.clear } : commands);

  const onClick = (index: number, item: GridItem, e: React.MouseEvent): void => {
    if (e.shiftKey) return moveCursor(() => index, true);
    if (e.ctrlKey || e.metaKey) {
      return setSel((s) => {
        const ids = new Set(s.ids);
        if (ids.has(item.id)) ids.delete(item.id);
        else ids.add(item.id);
        return { ids, all: false, anchor: index, cursor: index };
      });
    }
    setSel({ ids: new Set([item.id]), all: false, anchor: index, cursor: index });
  };
  const onDragItems = (item: GridItem, e: React.DragEvent): void => {
    if (!sel.all && !sel.ids.has(item.id)) setSel({ ids: new Set([item.id]), all: false, anchor: sel.cursor, cursor: sel.cursor });
    e.dataTransfer.setData('text/plain', 'shiwake-items');
  };
  const isSelected = useCallback((item: GridItem) => sel.all || sel.ids.has(item.id), [sel]);

  return (
    <div className="browse">
      <CategoryTree ref={treeFilter} nodes={tree.data ?? []} selected={categoryId} onSelect={setCategoryId} onDropItems={moveTo} />
      <section className="main">
        <div className="toolbar">
          <span data-testid="shown-count">{countOf(total, 'item')}</span>
          <label>
            status{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)} data-testid="status-filter">
              {(['active', 'excluded', 'broken', 'missing', 'any'] as const).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label>
            split{' '}
            <select value={split} onChange={(e) => setSplit(e.target.value as SplitFilter)} data-testid="split-filter">
              <option value="any">any</option>
              <option value="train">train</option>
              <option value="validation">validation</option>
              <option value="none">not split yet</option>
            </select>
          </label>
          <label>
            size <input type="range" min={64} max={256} step={16} value={thumbSize} onChange={(e) => setThumbSize(Number(e.target.value))} />
          </label>
          <BrowseQueryBar query={query} selected={selected} selection={() => toSelection(sel, filter, cursorItem?.id)} />
          <span className="muted">{selected > 0 ? `${selected.toLocaleString()} selected · M to move, X to ${status === 'excluded' ? 'restore' : 'exclude'}` : 'Press ? for keys'}</span>
        </div>
        {count.error ? <div className="error">{count.error}</div> : (
          <ThumbGrid total={total} thumbSize={thumbSize} predictions={filter.prediction !== undefined} get={get} ensure={ensure} isSelected={isSelected} cursor={sel.cursor} onClick={onClick} onColumns={setColumns} onDragItems={onDragItems} />
        )}
      </section>
      <DetailPanel itemId={cursorItem?.id} categories={categories} />
      {overlay === 'palette' && <MovePalette categories={(tree.data ?? []) as CategoryNode[]} count={Math.max(1, selected)} onPick={moveTo} onClose={() => setOverlay('none')} />}
      {overlay === 'preview' && cursorItem && (
        <div className="overlay" onClick={() => setOverlay('none')}>
          <img className="preview-large" src={media.preview(cursorItem)} alt={cursorItem.path} />
        </div>
      )}
    </div>
  );
}

function idsBetween(a: number, b: number, get: (i: number) => GridItem | undefined): { ids: Set<number>; complete: boolean } {
  const ids = new Set<number>();
  let complete = true;
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const item = get(i);
    if (item) ids.add(item.id);
    else complete = false;
  }
  return { ids, complete };
}
