import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { GridItem } from '../../../src-main/shared/contract';
import { media } from '../../api/transport';

interface Props {
  total: number;
  thumbSize: number;
  get: (index: number) => GridItem | undefined;
  ensure: (start: number, end: number) => void;
  isSelected: (item: GridItem) => boolean;
  cursor: number;
  onClick: (index: number, item: GridItem, e: React.MouseEvent) => void;
  onColumns: (columns: number) => void;
  onDragItems: (item: GridItem, e: React.DragEvent) => void;
  /** a line under each thumbnail for the model's prediction */
  predictions?: boolean;
}

const GAP = 6;

/** The virtualized thumbnail grid: only the rows on screen (plus a few) exist in the DOM. */
export function ThumbGrid({ total, thumbSize, get, ensure, isSelected, cursor, onClick, onColumns, onDragItems, predictions = false }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const cell = thumbSize + GAP;
  const columns = Math.max(1, Math.floor((width - GAP) / cell));
  useEffect(() => onColumns(columns), [columns, onColumns]);
  const rows = Math.ceil(total / columns);
  const rowHeight = cell + 18 + (predictions ? 16 : 0);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 4 });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const visible = virtualizer.getVirtualItems();
  const first = visible[0]?.index ?? 0;
  const last = visible[visible.length - 1]?.index ?? 0;
  useEffect(() => {
    if (total > 0) ensure(first * columns, Math.min(total - 1, (last + 1) * columns - 1));
  }, [first, last, columns, total, ensure]);
  useEffect(() => {
    if (total > 0) virtualizer.scrollToIndex(Math.floor(cursor / columns), { align: 'auto' });
  }, [cursor, columns, total, virtualizer]);

  if (total === 0) return <div className="grid-empty">No items here. Pick another category or status, or import a dataset.</div>;
  return (
    <div ref={scroller} className="grid-scroller" data-testid="grid">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {visible.map((row) => (
          <div key={row.key} className="grid-row" style={{ transform: `translateY(${row.start}px)`, height: rowHeight }}>
            {Array.from({ length: columns }, (_, c) => {
              const index = row.index * columns + c;
              if (index >= total) return null;
              const item = get(index);
              return (
                <Cell
                  key={index}
                  index={index}
                  item={item}
                  size={thumbSize}
                  selected={item ? isSelected(item) : false}
                  isCursor={index === cursor}
                  onClick={onClick}
                  onDragItems={onDragItems}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

interface CellProps {
  index: number;
  item: GridItem | undefined;
  size: number;
  selected: boolean;
  isCursor: boolean;
  onClick: Props['onClick'];
  onDragItems: Props['onDragItems'];
}

const Cell = memo(function Cell({ index, item, size, selected, isCursor, onClick, onDragItems }: CellProps) {
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => setFailed(null), [item?.id]);
  if (!item) return <div className="cell cell-loading" style={{ width: size }} />;
  const name = item.path.slice(item.path.lastIndexOf('/') + 1);
  const broken = item.status === 'broken' || item.status === 'missing' || failed !== null;
  const classes = ['cell', selected && 'selected', isCursor && 'cursor', item.status !== 'active' && `status-${item.status}`].filter(Boolean).join(' ');
  return (
    <div
      className={classes}
      style={{ width: size }}
      data-testid="cell"
      data-id={item.id}
      data-index={index}
      draggable
      onDragStart={(e) => onDragItems(item, e)}
      onClick={(e) => onClick(index, item, e)}
      title={`${item.path}${item.reason ? `\n${item.reason}` : ''}`}
    >
      <div className="thumb" style={{ width: size, height: size }}>
        {broken ? (
          <div className="placeholder" data-testid="broken-placeholder">
            <span className="placeholder-icon">⚠</span>
            <span>{item.status === 'missing' ? 'missing' : (item.reason ?? failed ?? 'cannot be shown')}</span>
          </div>
        ) : (
          <img
            src={media.thumb(item)}
            alt={name}
            loading="lazy"
            decoding="async"
            draggable={false}
            onError={() => setFailed('this image cannot be decoded')}
          />
        )}
      </div>
      <div className="cell-name">{name}</div>
      {item.predicted && <PredictedLine predicted={item.predicted} />}
    </div>
  );
});

/** The model's top-1 for an item: the category's last part and its probability; stale when relabeled since. */
function PredictedLine({ predicted }: { predicted: NonNullable<GridItem['predicted']> }) {
  const cut = predicted.category.lastIndexOf(' > ');
  const leaf = cut < 0 ? predicted.category : predicted.category.slice(cut + 3);
  return (
    <div className={`cell-pred ${predicted.stale ? 'stale' : ''}`} data-testid="cell-predicted" title={`model: ${predicted.category} ${(predicted.probability * 100).toFixed(1)}%${predicted.stale ? ' (relabeled since)' : ''}`}>
      {leaf} {Math.round(predicted.probability * 100)}%
    </div>
  );
}
