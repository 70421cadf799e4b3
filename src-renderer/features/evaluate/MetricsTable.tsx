import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { CategoryMetric } from '../../../src-main/shared/predict';
import { percent } from '../../components/RunPicker';

type Column = 'name' | 'precision' | 'recall' | 'f1' | 'support' | 'predicted';
const COLUMNS: { id: Column; label: string; title: string }[] = [
  { id: 'name', label: 'category', title: '' },
  { id: 'precision', label: 'precision', title: 'of the items predicted as this category, the share labelled with it' },
  { id: 'recall', label: 'recall', title: 'of the items labelled with this category, the share predicted as it' },
  { id: 'f1', label: 'F1', title: 'harmonic mean of precision and recall' },
  { id: 'support', label: 'support', title: 'items labelled with this category' },
  { id: 'predicted', label: 'predicted', title: 'items predicted as this category' },
];
const ROW = 24;

interface Props {
  rows: CategoryMetric[];
  /** categories chosen for the confusion matrix */
  chosen: Set<number>;
  onChoose: (id: number, on: boolean) => void;
  /** the items labelled with this category that the model gets wrong */
  onOpenLabelled: (row: CategoryMetric) => void;
  /** the items predicted as this category while labelled otherwise */
  onOpenPredicted: (row: CategoryMetric) => void;
}

/** Per-category figures, sortable by any column and filterable by name; only the rows on screen are rendered (1,000 categories stay fast). */
export function MetricsTable({ rows, chosen, onChoose, onOpenLabelled, onOpenPredicted }: Props) {
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: 'support', desc: true });
  const [needle, setNeedle] = useState('');
  const shown = useMemo(() => {
    const n = needle.trim().toLowerCase();
    const list = n ? rows.filter((r) => r.name.toLowerCase().includes(n)) : [...rows];
    const sign = sort.desc ? -1 : 1;
    const value = (r: CategoryMetric): number | string => (sort.by === 'name' ? r.name : (r[sort.by] ?? -1));
    return list.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return sign * (x < y ? -1 : x > y ? 1 : 0) || (a.name < b.name ? -1 : 1);
    });
  }, [rows, needle, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 10 });
  const header = (c: Column): void => setSort((s) => ({ by: c, desc: s.by === c ? !s.desc : c !== 'name' }));

  return (
    <div className="metrics" data-testid="metrics-table">
      <div className="metrics-tools">
        <input type="search" placeholder="Filter categories" value={needle} onChange={(e) => setNeedle(e.target.value)} data-testid="metrics-filter" />
        <span className="muted">{shown.length.toLocaleString()} of {rows.length.toLocaleString()} · click a row for its errors · tick up to 40 for the matrix</span>
      </div>
      <div className="metrics-row metrics-head">
        <span />
        {COLUMNS.map((c) => (
          <span key={c.id} className={c.id === 'name' ? '' : 'num'} title={c.title} onClick={() => header(c.id)} data-testid={`metrics-sort-${c.id}`}>
            {c.label}{sort.by === c.id ? (sort.desc ? ' ▾' : ' ▴') : ''}
          </span>
        ))}
      </div>
      <div ref={scroller} className="metrics-body" style={{ height: Math.min(360, shown.length * ROW + 2) }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const r = shown[v.index]!;
            return (
              <div key={r.name} className="metrics-row" style={{ transform: `translateY(${v.start}px)` }} data-testid="metrics-row" data-name={r.name} onClick={() => onOpenLabelled(r)} title={`${r.name}: show the items labelled with it that the model gets wrong`}>
                <span onClick={(e) => e.stopPropagation()}>
                  {r.categoryId !== null && <input type="checkbox" checked={chosen.has(r.categoryId)} onChange={(e) => onChoose(r.categoryId!, e.target.checked)} aria-label={`${r.name} in the matrix`} />}
                </span>
                <span className="metrics-name">{r.name}</span>
                <span className="num">{percent(r.precision)}</span>
                <span className="num">{percent(r.recall)}</span>
                <span className="num">{percent(r.f1)}</span>
                <span className="num">{r.support.toLocaleString()}</span>
                <span className="num link-cell" onClick={(e) => (e.stopPropagation(), onOpenPredicted(r))} title="show the items predicted as this category but labelled otherwise">{r.predicted.toLocaleString()}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
