import type { ReviewItem } from '../../../src-main/shared/predict';
import { useQuery } from '../../api/hooks';
import { media } from '../../api/transport';
import { percent } from '../../components/RunPicker';

const SHOWN = 12;

/** The items after the current one, in ranked order; a click makes one current. */
export function NextStrip({ items, from, onPick }: { items: ReviewItem[]; from: number; onPick: (index: number) => void }) {
  const next = items.slice(from + 1, from + 1 + SHOWN);
  if (next.length === 0) return null;
  return (
    <div className="review-strip" data-testid="review-next">
      {next.map((item, i) => (
        <button key={item.id} className="review-next-item" onClick={() => onPick(from + 1 + i)} title={`${item.path}\n${item.label} → ${item.suggested.name}`} data-testid="review-next-item" data-id={item.id}>
          <Thumb id={item.id} alt={item.path} />
          <span className="small review-next-text">{item.label} → <b>{item.suggested.name}</b> {percent(item.suggested.probability, 0)}</span>
        </button>
      ))}
    </div>
  );
}

/** A thumbnail by item id (the queue's items lack the file size and time the media URL carries). */
function Thumb({ id, alt }: { id: number; alt: string }) {
  const d = useQuery('items.detail', { id }).data;
  return <span className="review-thumb">{d && (d.status === 'active' || d.status === 'excluded') ? <img src={media.thumb(d)} alt={alt} /> : null}</span>;
}
