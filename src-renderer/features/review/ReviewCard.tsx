import type { ReviewItem } from '../../../src-main/shared/predict';
import { useQuery } from '../../api/hooks';
import { media } from '../../api/transport';
import { percent } from '../../components/RunPicker';
import { Neighbours } from './Neighbours';

interface Props {
  run: string;
  item: ReviewItem;
  /** its place in the queue, 1-based */
  position: number;
  onAccept: () => void;
  onKeep: () => void;
  onExclude: () => void;
  onOther: () => void;
}

/** The item under review, large: its label and the suggestion with their probabilities, the decisions, and its neighbours from both categories. */
export function ReviewCard({ run, item, position, onAccept, onKeep, onExclude, onOther }: Props) {
  // the media URL carries the file's size and time, which the queue's items do not: ask for the item's details
  const detail = useQuery('items.detail', { id: item.id });
  const d = detail.data?.id === item.id ? detail.data : undefined;
  const viewable = d && (d.status === 'active' || d.status === 'excluded');
  const canAccept = item.suggested.id !== null;
  return (
    <section className="panel review-card" data-testid="review-item" data-id={item.id} data-path={item.path} data-label={item.label} data-suggested={item.suggested.name}>
      <div className="review-top">
        <div className="review-image">
          {viewable ? <img src={media.preview(d)} alt={item.path} data-testid="review-image" /> : d ? <div className="placeholder large">⚠ {d.reason ?? d.status}</div> : <div className="muted">Loading…</div>}
        </div>
        <div className="review-facts">
          <div className="muted">#{position} · score {item.score.toFixed(2)}{item.suspected ? '' : ' · ranked, not suspected'}</div>
          <div className="path" data-testid="review-path">{item.path}</div>
          <table className="review-probs">
            <tbody>
              <tr>
                <th>labelled</th>
                <td data-testid="review-label">{item.label}</td>
                <td className="num">{percent(item.labelProbability)}</td>
              </tr>
              <tr>
                <th>suggested</th>
                <td data-testid="review-suggested"><b>{item.suggested.name}</b>{canAccept ? '' : ' (no longer in the project)'}</td>
                <td className="num" data-testid="review-suggested-probability">{percent(item.suggested.probability)}</td>
              </tr>
            </tbody>
          </table>
          <div className="review-actions">
            <button className="primary" onClick={onAccept} disabled={!canAccept} data-testid="review-accept" title="move it to the suggested category">
              <kbd>A</kbd> Accept
            </button>
            <button onClick={onKeep} data-testid="review-keep" title="the label is right: it leaves the queue until its label changes">
              <kbd>K</kbd> Keep
            </button>
            <button onClick={onExclude} data-testid="review-exclude" title="leave it out of the dataset">
              <kbd>X</kbd> Exclude
            </button>
            <button onClick={onOther} data-testid="review-other" title="neither: move it to another category">
              <kbd>M</kbd> Neither…
            </button>
          </div>
          <div className="muted small">← → previous / next without deciding · Ctrl/Cmd+Z undo</div>
        </div>
      </div>
      <Neighbours run={run} item={item} />
    </section>
  );
}
