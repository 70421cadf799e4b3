import { useMemo, useState } from 'react';
import { useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNavigation } from '../../components/navigation';
import { percent, RunPicker, shortDate, useFinishedRuns } from '../../components/RunPicker';
import { useNotify } from '../../components/Toasts';
import { itemsLink, scopeFilter, type EvalContext, type ItemsLink } from './links';
import { MatrixPanel } from './MatrixPanel';
import { MetricsTable } from './MetricsTable';
import { PairsList } from './PairsList';

/** Evaluate: how a run does on all items, the validation split or one category; from any number to its items. */
export function EvaluateView({ active }: { active: boolean }) {
  const notify = useNotify();
  const nav = useNavigation();
  const { runs, run, setRun, error: runsError } = useFinishedRuns(active);
  const tree = useQuery('categories.tree', active ? {} : null, ['onLabelsChanged']);
  // the validation split when there is one: training evaluates it at the end of each run, so its pairs are ready
  const validation = useQuery('items.count', active ? { filter: { split: 'validation' } } : null, ['onJobDone']);
  const [chosenScope, setScope] = useState<string | null>(null);
  const scope = chosenScope ?? (validation.data ? 'validation' : 'all');
  const [level, setLevel] = useState<number | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const filter = useMemo(() => scopeFilter(scope), [scope]);
  const depth = useMemo(() => Math.max(0, ...(tree.data ?? []).map((n) => n.depth)), [tree.data]);
  const sortedTree = useMemo(() => [...(tree.data ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)), [tree.data]);

  // the figures follow label changes and the end of any evaluation job
  const report = useQuery('evaluate.report', run && active && (chosenScope !== null || validation.data !== undefined || validation.error !== undefined) ? { run, filter, ...(level === null ? {} : { level }) } : null, ['onLabelsChanged', 'onJobDone']);
  const ctx: EvalContext | null = run ? { run, scope: filter, level } : null;
  const open = (link: ItemsLink | null): void => void (link && nav.showInBrowse(link.filter, link.chip));
  const evaluate = (): void => {
    if (!run) return;
    void call('evaluate.start', { run, filter }).then(
      (r) => notify(`Evaluating run ${r.run}: progress is in the status bar`),
      (e: Error) => notify(e.message, { kind: 'error' }),
    );
  };
  const r = report.data;

  return (
    <div className="evaluate" data-testid="evaluate-view">
      <div className="toolbar">
        <RunPicker runs={runs} run={run} onChange={setRun} />
        <label>
          items{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value)} data-testid="evaluate-scope">
            <option value="all">all</option>
            <option value="validation">validation split</option>
            {sortedTree.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
          </select>
        </label>
        <label>
          level{' '}
          <select value={level ?? 'leaves'} onChange={(e) => setLevel(e.target.value === 'leaves' ? null : Number(e.target.value))} data-testid="evaluate-level">
            <option value="leaves">leaves</option>
            {Array.from({ length: depth }, (_, i) => <option key={i + 1} value={i + 1}>{i + 1}</option>)}
          </select>
        </label>
        {/* a run trained at a level of the tree is never judged finer than that level */}
        {r && r.level !== level && <span className="muted" data-testid="evaluate-run-level">figures at level {r.level}, the run's</span>}
        <button className="primary" disabled={!run} onClick={evaluate} data-testid="evaluate-start">Evaluate</button>
      </div>
      {runsError && <div className="error">{runsError}</div>}
      {report.error && <div className="error" data-testid="evaluate-error">{report.error}</div>}
      {r && ctx && (
        <>
          <div className="figures" data-testid="evaluate-figures">
            <Figure label="top-1" value={percent(r.top1)} testid="evaluate-top1" />
            <Figure label="top-5" value={percent(r.top5)} />
            <Figure label="items" value={r.items.toLocaleString()} />
            <Figure label="predicted" value={r.predicted.toLocaleString()} />
            <Figure label="stale (relabeled since)" value={r.stale.toLocaleString()} />
            <span className="muted evaluated-at">
              {r.evaluatedAt ? `evaluated ${shortDate(r.evaluatedAt)}` : 'not evaluated yet for these items'}
              {r.predicted < r.items && <> · {(r.items - r.predicted).toLocaleString()} without a prediction: press Evaluate</>}
            </span>
          </div>
          <div className="evaluate-main">
            <section className="panel grow">
              <h3>Per category</h3>
              <MetricsTable
                rows={r.categories}
                chosen={chosen}
                onChoose={(id, on) => setChosen((s) => { const next = new Set(s); if (on) next.add(id); else next.delete(id); return next; })}
                onOpenLabelled={(row) => open(itemsLink(ctx, { id: row.categoryId, name: row.name }, null, true))}
                onOpenPredicted={(row) => open(itemsLink(ctx, null, { id: row.categoryId, name: row.name }, true))}
              />
            </section>
            <section className="panel grow">
              <h3>Most confused</h3>
              <PairsList pairs={r.pairs} onOpen={(p) => open(itemsLink(ctx, p.labelled, p.predicted))} onReview={(p) => nav.showInReview(ctx.run, p.labelled.id, p.predicted.id)} />
            </section>
          </div>
          <MatrixPanel run={ctx.run} scope={filter} level={level} tree={tree.data ?? []} chosen={[...chosen]} onOpen={(a, b) => open(itemsLink(ctx, a, b))} />
        </>
      )}
    </div>
  );
}

function Figure({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return (
    <div className="figure">
      <b data-testid={testid}>{value}</b>
      <span className="muted">{label}</span>
    </div>
  );
}
