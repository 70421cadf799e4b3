import type { GridItem } from '../../../src-main/shared/contract';
import type { ReviewItem } from '../../../src-main/shared/predict';
import { useQuery } from '../../api/hooks';
import { media } from '../../api/transport';

const K = 8;

/** The item's nearest neighbours among the items labelled like it and among those of the suggested category, side by side: which row does it look like? */
export function Neighbours({ run, item }: { run: string; item: ReviewItem }) {
  const args = { run, id: item.id, k: K, ...(item.suggested.id === null ? {} : { category: item.suggested.id }) };
  const n = useQuery('review.neighbours', args);
  if (n.error) return <div className="muted" data-testid="review-neighbours-error">Neighbours: {n.error}</div>;
  return (
    <div className="review-neighbours" data-testid="review-neighbours">
      <NeighbourRow title={`labelled ${item.label}`} items={n.data?.labelled} testid="neighbours-labelled" />
      <NeighbourRow title={`suggested ${item.suggested.name}`} items={n.data?.suggested} testid="neighbours-suggested" />
    </div>
  );
}

function NeighbourRow({ title, items, testid }: { title: string; items: GridItem[] | undefined; testid: string }) {
  return (
    <div className="review-neighbour-row" data-testid={testid}>
      <div className="muted small" title={title}>nearest {title}</div>
      <div className="review-thumbs">
        {items === undefined && <span className="muted">Loading…</span>}
        {items?.length === 0 && <span className="muted">none</span>}
        {items?.map((g) => (
          <span key={g.id} className="review-thumb" title={g.path}>
            {g.status === 'active' || g.status === 'excluded' ? <img src={media.thumb(g)} alt={g.path} /> : <span className="placeholder">⚠</span>}
          </span>
        ))}
      </div>
    </div>
  );
}
