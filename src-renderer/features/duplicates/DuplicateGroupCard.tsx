import type { DuplicateGroupView } from '../../../src-main/shared/duplicates';
import { media } from '../../api/transport';

/** One group: its pictures with path and split, the kind and similarity, a leak badge, and which one is kept. */
export function DuplicateGroupCard({ group, keep, onKeep }: { group: DuplicateGroupView; keep: number; onKeep: (id: number) => void }) {
  return (
    <div className={`dup-group ${group.leak ? 'leak' : ''}`} data-testid="dup-group">
      <div className="dup-head">
        {group.leak && <span className="dup-badge" data-testid="dup-leak" title="members in both train and validation: validation scores pictures the model trained on">leak</span>}
        <span>{group.kind === 'exact' ? 'identical files' : `near duplicates, similarity ≥ ${group.similarity.toFixed(3)}`}</span>
        <span className="muted">{group.items.length} items</span>
      </div>
      <div className="dup-items">
        {group.items.map((item) => (
          <label key={item.id} className={`dup-item ${item.id === keep ? 'kept' : ''}`} title={item.id === keep ? 'kept' : 'excluded by "Keep one"'}>
            <span className="review-thumb">{item.status === 'active' ? <img src={media.thumb(item)} alt={item.path} /> : null}</span>
            <span className="dup-path">{item.path}</span>
            <span className="muted">{item.split ?? 'no split'}</span>
            <span>
              <input type="radio" checked={item.id === keep} onChange={() => onKeep(item.id)} data-testid="dup-keep-choice" /> keep
            </span>
          </label>
        ))}
      </div>
    </div>
  );
}
