import { useMemo, useState } from 'react';
import type { CategoryNode, ItemFilter } from '../../../src-main/shared/contract';
import type { ConfusionMatrix } from '../../../src-main/shared/predict';
import { useQuery } from '../../api/hooks';

interface Props {
  run: string;
  scope: ItemFilter;
  level: number | null;
  tree: CategoryNode[];
  /** categories ticked in the table */
  chosen: number[];
  onOpen: (labelled: ConfusionMatrix['categories'][number], predicted: ConfusionMatrix['categories'][number]) => void;
}

const MAX = 40;
const leafOf = (name: string): string => (name.includes(' > ') ? name.slice(name.lastIndexOf(' > ') + 3) : name);

/** A confusion matrix for a subtree, the top level, or the categories ticked in the table (at most 40). */
export function MatrixPanel({ run, scope, level, tree, chosen, onOpen }: Props) {
  const parents = useMemo(() => {
    const withChildren = new Set(tree.map((n) => n.parentId).filter((p): p is number => p !== null));
    return tree.filter((n) => withChildren.has(n.id)).sort((a, b) => (a.name < b.name ? -1 : 1));
  }, [tree]);
  const topLevel = useMemo(() => tree.filter((n) => n.parentId === null).map((n) => n.id), [tree]);
  const [source, setSource] = useState<string>('top');
  const [hideDiagonal, setHideDiagonal] = useState(false);
  const effective = source === 'chosen' && chosen.length === 0 ? 'top' : source;

  const args = useMemo(() => {
    const base = { run, filter: scope, ...(level === null ? {} : { level }) };
    if (effective === 'chosen') return chosen.length <= MAX ? { ...base, categories: chosen } : null;
    if (effective === 'top') return topLevel.length > 0 && topLevel.length <= MAX ? { ...base, categories: topLevel } : null;
    return { ...base, categoryId: Number(effective) };
  }, [run, scope, level, effective, chosen, topLevel]);
  const matrix = useQuery('evaluate.matrix', args, ['onLabelsChanged', 'onJobDone']);

  return (
    <section className="panel matrix-panel" data-testid="matrix-panel">
      <div className="toolbar">
        <h3>Confusion matrix</h3>
        <select value={effective} onChange={(e) => setSource(e.target.value)} data-testid="matrix-source">
          <option value="top">top level</option>
          <option value="chosen" disabled={chosen.length === 0}>ticked in the table ({chosen.length})</option>
          {parents.map((p) => <option key={p.id} value={p.id}>subtree {p.name}</option>)}
        </select>
        <label><input type="checkbox" checked={hideDiagonal} onChange={(e) => setHideDiagonal(e.target.checked)} data-testid="matrix-hide-diagonal" /> hide diagonal</label>
      </div>
      {args === null && <div className="muted">Choose at most {MAX} categories (a subtree, or tick them in the table).</div>}
      {matrix.error && <div className="error">{matrix.error}</div>}
      {args && matrix.data && <MatrixTable matrix={matrix.data} hideDiagonal={hideDiagonal} onOpen={onOpen} />}
    </section>
  );
}

function MatrixTable({ matrix, hideDiagonal, onOpen }: { matrix: ConfusionMatrix; hideDiagonal: boolean; onOpen: Props['onOpen'] }) {
  const { categories, counts } = matrix;
  // shade by share of the row (of the labelled category), so small categories show their confusions too
  const rowTotals = counts.map((row, i) => row.reduce((s, c, j) => s + (hideDiagonal && i === j ? 0 : c), 0));
  if (categories.length === 0) return <div className="muted">No predictions for these categories yet: Evaluate first.</div>;
  return (
    <div className="matrix-scroll">
      <table className="matrix" data-testid="matrix">
        <thead>
          <tr>
            <th className="muted">labelled ↓ predicted →</th>
            {categories.map((c) => <th key={c.name} className="matrix-col" title={c.name}><span>{leafOf(c.name)}</span></th>)}
          </tr>
        </thead>
        <tbody>
          {categories.map((row, i) => (
            <tr key={row.name}>
              <th title={row.name}>{leafOf(row.name)}</th>
              {categories.map((col, j) => {
                const n = counts[i]?.[j] ?? 0;
                const hidden = hideDiagonal && i === j;
                const share = rowTotals[i] ? n / rowTotals[i]! : 0;
                const open = !hidden && n > 0 && row.id !== null && col.id !== null;
                return (
                  <td
                    key={col.name}
                    className={`num ${i === j ? 'diagonal' : ''} ${open ? 'clickable' : ''}`}
                    style={hidden || n === 0 ? undefined : { background: `rgba(47, 111, 237, ${(0.08 + 0.72 * share).toFixed(3)})` }}
                    title={`labelled ${row.name}, predicted ${col.name}: ${n.toLocaleString()}`}
                    onClick={() => open && onOpen(row, col)}
                    data-testid="matrix-cell"
                  >
                    {hidden || n === 0 ? '' : n.toLocaleString()}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
