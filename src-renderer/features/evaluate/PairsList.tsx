import { useState } from 'react';
import type { ConfusedPair } from '../../../src-main/shared/predict';
import { percent } from '../../components/RunPicker';

const PAGE = 50;

/** The most confused (labelled, predicted) pairs, largest first; a click opens their items, "review" the review queue filtered to the pair. */
export function PairsList({ pairs, onOpen, onReview }: { pairs: ConfusedPair[]; onOpen: (pair: ConfusedPair) => void; onReview?: (pair: ConfusedPair) => void }) {
  const [limit, setLimit] = useState(PAGE);
  if (pairs.length === 0) return <div className="muted" data-testid="pairs-empty">No confusions: every prediction matches its label.</div>;
  const max = pairs[0]!.count;
  return (
    <div className="pairs">
      <ol className={`pairs-list${onReview ? ' with-review' : ''}`} data-testid="pairs">
        {pairs.slice(0, limit).map((p) => {
          const open = p.labelled.id !== null && p.predicted.id !== null;
          return (
            <li
              key={`${p.labelled.name}\u0000${p.predicted.name}`}
              className={open ? 'clickable' : ''}
              onClick={() => open && onOpen(p)}
              data-testid="pair"
              data-labelled={p.labelled.name}
              data-predicted={p.predicted.name}
              data-count={p.count}
              title={open ? 'show these items' : 'a category the project no longer has'}
            >
              <span className="pair-names">
                <b>{p.labelled.name}</b> <span className="muted">taken for</span> <b>{p.predicted.name}</b>
              </span>
              <span className="pair-bar"><span style={{ width: `${(100 * p.count) / max}%` }} /></span>
              <span className="num" data-testid="pair-count">{p.count.toLocaleString()}</span>
              <span className="num muted">{percent(p.share)}</span>
              {onReview && (
                <button className="link" disabled={!open} onClick={(e) => (e.stopPropagation(), onReview(p))} title="open the review queue filtered to this pair" data-testid="pair-review">
                  review
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {pairs.length > limit && <button className="link" onClick={() => setLimit((l) => l + PAGE * 4)}>{(pairs.length - limit).toLocaleString()} more…</button>}
    </div>
  );
}
