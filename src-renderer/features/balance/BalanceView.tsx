import { useEffect, useRef, useState } from 'react';
import type { Args } from '../../../src-main/shared/contract';
import { useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { AppliedPlan } from './AppliedPlan';
import { DistributionChart } from './DistributionChart';
import { PlanTable } from './PlanTable';

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Math.max(0, Math.floor(Number(s))));

/** Balance and split: the distribution, a split, and a plan previewed before it is applied. */
export function BalanceView({ active }: { active: boolean }) {
  const notify = useNotify();
  const [max, setMax] = useState('');
  const [min, setMin] = useState('');
  const [oversample, setOversample] = useState(false);
  const [seed, setSeed] = useState('42');
  const [validation, setValidation] = useState('10');
  const [mergeFrom, setMergeFrom] = useState('');
  const [mergeInto, setMergeInto] = useState('');
  const options: Args<'balance.preview'> = { maxPerCategory: num(max), minPerCategory: num(min), oversample, seed: num(seed) ?? 42 };
  const preview = useQuery('balance.preview', active ? options : null, ['onLabelsChanged', 'onJobDone']);
  const fail = (e: Error): void => notify(e.message, { kind: 'error' });
  const view = preview.data;
  const showOptions = (o: NonNullable<Args<'balance.apply'>>): void => {
    setMax(o.maxPerCategory ? String(o.maxPerCategory) : '');
    setMin(o.minPerCategory ? String(o.minPerCategory) : '');
    setOversample(o.oversample ?? false);
    setSeed(String(o.seed ?? 42));
  };
  // the form starts from the applied plan's settings (once), so what is shown is what is in force
  const filled = useRef(false);
  useEffect(() => {
    if (!view || filled.current) return;
    filled.current = true;
    if (view.applied) showOptions(view.applied);
  }, [view]);
  // the preview query answers for the form's options; after Apply it must also learn the stored plan changed
  const apply = (o: Args<'balance.apply'>): void =>
    void call('balance.apply', o).then((v) => (notify(`Plan applied: ${v.totals.final.toLocaleString()} training examples`), showOptions(o), preview.reload()), fail);

  return (
    <div className="balance" data-testid="balance-view">
      {preview.error && <div className="error">{preview.error}</div>}
      {view && (
        <>
          <div className="figures">
            {(['categories', 'items', 'min', 'median', 'max'] as const).map((k) => (
              <div key={k} className="figure"><span className="muted">{k}</span><b>{view.summary[k].toLocaleString()}</b></div>
            ))}
            <div className="figure"><span className="muted">imbalance</span><b>{view.summary.imbalance ? `${view.summary.imbalance.toFixed(1)}×` : '–'}</b></div>
          </div>
          <DistributionChart categories={view.categories} max={options.maxPerCategory} min={options.minPerCategory} />
        </>
      )}
      <div className="panels">
        <section className="panel">
          <h3>Split</h3>
          <p className="muted">{view?.split ? `Current: ${Math.round(view.split.validation * 100)}% validation, seed ${view.split.seed}.` : 'No split yet.'} Stratified per category; identical files stay together.</p>
          <label>validation % <input type="number" min={1} max={50} value={validation} onChange={(e) => setValidation(e.target.value)} /></label>
          <button data-testid="split-button" onClick={() => void call('dataset.split', { validation: Number(validation) / 100, seed: num(seed) ?? 42 }).catch(fail)}>Split</button>
        </section>
        <section className="panel">
          <h3>Balance plan</h3>
          <label>max per category <input type="number" min={0} value={max} placeholder="none" onChange={(e) => setMax(e.target.value)} data-testid="max-input" /></label>
          <label>min per category <input type="number" min={0} value={min} placeholder="none" onChange={(e) => setMin(e.target.value)} /></label>
          <label><input type="checkbox" checked={oversample} onChange={(e) => setOversample(e.target.checked)} /> below the minimum: oversample (else drop)</label>
          <label>seed <input type="number" value={seed} onChange={(e) => setSeed(e.target.value)} /></label>
          <button className="primary" data-testid="apply-plan" onClick={() => apply(options)}>Apply plan</button>
          {view && <AppliedPlan view={view} onReplan={apply} />}
        </section>
        <section className="panel">
          <h3>Merge categories</h3>
          <label>merge <input value={mergeFrom} placeholder="Women > Sneakers" onChange={(e) => setMergeFrom(e.target.value)} /></label>
          <label>into <input value={mergeInto} placeholder="Sneakers" onChange={(e) => setMergeInto(e.target.value)} /></label>
          <button onClick={() => void call('balance.merge', { from: [mergeFrom], into: mergeInto }).then((r) => notify(`${r.description} (Ctrl+Z undoes)`), fail)}>Merge</button>
        </section>
      </div>
      {view && <PlanTable view={view} />}
    </div>
  );
}
