import { useMemo, useState } from 'react';
import type { ReviewCategorySummary } from '../../../src-main/shared/predict';
import { percent } from '../../components/RunPicker';

type Column = 'name' | 'items' | 'estimatedErrors' | 'estimatedShare';
const COLUMNS: { id: Column; label: string; title: string }[] = [
  { id: 'name', label: 'category', title: '' },
  { id: 'items', label: 'items', title: 'items labelled with this category' },
  { id: 'estimatedErrors', label: 'est. wrong', title: 'the estimated number of wrong labels in this category' },
  { id: 'estimatedShare', label: 'share', title: 'the estimated share of wrong labels in this category' },
];

/** Per category, the estimated share of wrong labels; sortable by any column, a click filters the queue to the category. */
export function SummaryTable({ rows, onOpen }: { rows: ReviewCategorySummary[]; onOpen: (categoryId: number) => void }) {
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: 'estimatedShare', desc: true });
  const shown = useMemo(() => {
    const sign = sort.desc ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = a[sort.by];
      const y = b[sort.by];
      return sign * (x < y ? -1 : x > y ? 1 : 0) || (a.name < b.name ? -1 : 1);
    });
  }, [rows, sort]);
  const header = (c: Column): void => setSort((s) => ({ by: c, desc: s.by === c ? !s.desc : c !== 'name' }));
  if (rows.length === 0) return <div className="muted">No estimate yet.</div>;
  return (
    <div className="plan-table review-summary" data-testid="review-summary">
      <table>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.id} className={`clickable ${c.id === 'name' ? '' : 'num'}`} title={c.title} onClick={() => header(c.id)} data-testid={`review-summary-sort-${c.id}`}>
                {c.label}{sort.by === c.id ? (sort.desc ? ' ▾' : ' ▴') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.categoryId} className="clickable" onClick={() => onOpen(r.categoryId)} data-testid="review-summary-row" data-name={r.name} title={`review the items labelled ${r.name}`}>
              <td>{r.name}</td>
              <td className="num">{r.items.toLocaleString()}</td>
              <td className="num">{Math.round(r.estimatedErrors).toLocaleString()}</td>
              <td className="num">{percent(r.estimatedShare)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
