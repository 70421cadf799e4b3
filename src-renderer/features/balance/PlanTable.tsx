import type { BalanceView } from '../../../src-main/shared/contract';

/** The plan, category by category: what is kept, dropped and repeated for training. */
export function PlanTable({ view }: { view: BalanceView }) {
  const t = view.totals;
  return (
    <div className="plan-table">
      <table data-testid="plan-table">
        <thead>
          <tr><th>Category</th><th>train</th><th>kept</th><th>dropped</th><th>repeated</th><th>final</th><th>validation</th><th>action</th></tr>
        </thead>
        <tbody>
          {view.categories.map((c) => (
            <tr key={c.name} className={`action-${c.action}`}>
              <td>{c.name}</td>
              {[c.items, c.kept, c.dropped, c.repeated, c.final, c.validation].map((n, i) => <td key={i} className="num">{n.toLocaleString()}</td>)}
              <td>{c.action}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><td>total</td>{[t.items, t.kept, t.dropped, t.repeated, t.final].map((n, i) => <td key={i} className="num">{n.toLocaleString()}</td>)}<td /><td /></tr>
        </tfoot>
      </table>
    </div>
  );
}
