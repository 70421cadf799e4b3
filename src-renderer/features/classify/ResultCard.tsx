import type { RunBrief } from '../../../src-main/shared/predict';
import { useQuery } from '../../api/hooks';
import { media } from '../../api/transport';
import { percent, shortDate } from '../../components/RunPicker';
import type { Entry } from './useClassifier';

interface Props {
  entry: Entry;
  /** category ids by name, to show a dataset item in the grid */
  categoryIds: Map<string, number>;
  onShowInGrid: (categoryId: number, name: string) => void;
}

export const runLine = (run: RunBrief): string => `run ${run.run} · ${run.model} · ${shortDate(run.createdAt)} · validation top-1 ${percent(run.top1)}`;

/** One classified file: the picture, the top categories as bars, the time taken, and where it sits in the dataset. */
export function ResultCard({ entry, categoryIds, onShowInGrid }: Props) {
  const { result, run } = entry;
  const item = result?.item;
  const itemCategory = item ? categoryIds.get(item.label) : undefined;
  return (
    <div className="classify-card" data-testid="classify-result" data-state={entry.state}>
      <div className="classify-image">
        {entry.image ? <img src={entry.image} alt={entry.name} /> : item ? <ItemThumb id={item.id} /> : <span className="muted">{entry.name}</span>}
      </div>
      <div className="classify-body">
        <div className="classify-title">
          <b title={result?.file ?? entry.name}>{entry.name}</b>
          {result && !result.error && <span className="muted"> · {Math.round(result.ms)} ms</span>}
        </div>
        {entry.state === 'pending' && <div className="muted">Classifying…</div>}
        {result?.error && <div className="status-broken" data-testid="classify-error">{result.error}</div>}
        {result?.top && (
          <table className="scores">
            <tbody>
              {result.top.slice(0, 5).map((s) => (
                <tr key={s.category} data-testid="score">
                  <td className="score-name" title={s.category}>{s.category}</td>
                  <td className="score-bar-cell"><div className="score-bar" style={{ width: `${Math.max(0.5, s.probability * 100)}%` }} /></td>
                  <td className="num">{percent(s.probability)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {item && (
          <div className="classify-item" data-testid="classify-item">
            In the dataset as <b>{item.label}</b>{item.status !== 'active' ? <span className={`status-${item.status}`}> ({item.status})</span> : null}{' '}
            {itemCategory !== undefined && <button className="link" onClick={() => onShowInGrid(itemCategory, entry.name)} data-testid="show-in-grid">Show in grid</button>}
          </div>
        )}
        {run && <div className="muted small">{runLine(run)}</div>}
      </div>
    </div>
  );
}

/** A dataset item's thumbnail (its media URL needs the file's size and time, from its details). */
function ItemThumb({ id }: { id: number }) {
  const detail = useQuery('items.detail', { id });
  return detail.data ? <img src={media.thumb(detail.data)} alt={detail.data.path} /> : null;
}
