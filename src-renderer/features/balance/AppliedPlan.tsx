import type { BalanceView } from '../../../src-main/shared/contract';

type Applied = NonNullable<BalanceView['applied']>;

/** The stored plan: its settings, and when the items moved on since it was applied, what changed and a Re-plan button. */
export function AppliedPlan({ view, onReplan }: { view: BalanceView; onReplan: (options: Applied) => void }) {
  const a = view.applied;
  if (!a) return <p className="muted" data-testid="applied-plan">No plan applied: every item counts once.</p>;
  const when = view.appliedAt ? ` on ${new Date(view.appliedAt).toLocaleString()}` : '';
  return (
    <div data-testid="applied-plan">
      <p className="muted">Applied plan{when}: cap {a.maxPerCategory || 'none'}, min {a.minPerCategory || 'none'}{a.oversample ? ' (oversample)' : ''}, seed {a.seed}.</p>
      {view.stale && (
        <div className="warning" data-testid="plan-stale">
          <b>Stale:</b> the items changed since it was applied, so export and training no longer get the balance it promised (new items count once, past any cap).
          <ul>
            {view.stale.slice(0, 8).map((c) => <li key={c}>{c}</li>)}
            {view.stale.length > 8 && <li>… and {view.stale.length - 8} more</li>}
          </ul>
          <button onClick={() => onReplan(a)} data-testid="replan">Re-plan with these settings</button>
        </div>
      )}
    </div>
  );
}
