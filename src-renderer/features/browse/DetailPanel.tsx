import type { CategoryNode } from '../../../src-main/shared/contract';
import { useQuery } from '../../api/hooks';
import { media } from '../../api/transport';

interface Props {
  itemId: number | undefined;
  categories: Map<number, CategoryNode>;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The cursor item: a large image, its file's details, and its label history. */
export function DetailPanel({ itemId, categories }: Props) {
  const { data: item, error } = useQuery('items.detail', itemId === undefined ? null : { id: itemId }, ['onLabelsChanged']);
  if (itemId === undefined) return <aside className="detail muted">Select an item to see it here.</aside>;
  if (error) return <aside className="detail error">{error}</aside>;
  if (!item) return <aside className="detail muted">Loading…</aside>;
  const viewable = item.status === 'active' || item.status === 'excluded';
  return (
    <aside className="detail" data-testid="detail">
      <div className="detail-image">
        {viewable ? <img src={media.preview(item)} alt={item.path} /> : <div className="placeholder large">⚠ {item.reason ?? item.status}</div>}
      </div>
      <dl className="detail-facts">
        <dt>Path</dt>
        <dd className="path">{item.path}</dd>
        <dt>Category</dt>
        <dd>{categories.get(item.categoryId)?.name ?? '?'}</dd>
        <dt>Status</dt>
        <dd className={`status-text status-${item.status}`}>{item.status}{item.reason ? `: ${item.reason}` : ''}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(item.size)}{item.format ? `, ${item.format.toUpperCase()}` : ''}</dd>
        <dt>Dimensions</dt>
        <dd>{item.width && item.height ? `${item.width} × ${item.height}` : '–'}</dd>
      </dl>
      <h3>History</h3>
      <ol className="history">
        <li>Imported as <b>{item.history.originalCategory}</b></li>
        {item.history.events.map((e, i) => (
          <li key={i} className={e.inEffect ? '' : 'undone'} title={e.at}>
            {e.field === 'category' ? 'Moved' : 'Status'}: {e.from ?? '–'} → {e.to ?? '–'}
            <span className="muted"> · {new Date(e.at).toLocaleString()}{e.inEffect ? '' : ' · undone'}</span>
          </li>
        ))}
      </ol>
    </aside>
  );
}
