import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunMetric, RunSummary } from '../../../src-main/shared/contract';
import { countOf } from '../../../src-main/shared/count';
import { useRunsMetrics } from './useRunsMetrics';

/** One colour per compared run, in the order they are listed. */
const COLOURS = ['#3b7dd8', '#e07b39', '#3aa55d', '#b04fc4', '#c9a227', '#d64550', '#2bb3b1', '#7a7a7a'];

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
export const runTitle = (r: RunSummary): string => r.name ?? r.run;

interface Curve {
  key: string;
  label: string;
  colour: string;
  dashed?: boolean;
  points: { epoch: number; y: number }[];
}

function curve(r: RunSummary, i: number, metrics: RunMetric[], kind: RunMetric['kind'], pick: (m: RunMetric) => number | null, scale: number, suffix = ''): Curve {
  const points = metrics.filter((m) => m.kind === kind && pick(m) !== null).map((m) => ({ epoch: m.epoch, y: pick(m)! * scale }));
  return { key: `${r.run}-${kind}`, label: `${runTitle(r)}${suffix}`, colour: COLOURS[i % COLOURS.length]!, dashed: kind === 'validation' && suffix !== '', points };
}

function Overlay({ title, curves, percent }: { title: string; curves: Curve[]; percent?: boolean }) {
  return (
    <div className="run-chart" data-testid={`compare-chart-${title}`}>
      <h4>{title}</h4>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--line)" />
          {/* epochs, not steps: runs with other batch sizes or dataset sizes line up */}
          <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} tick={{ fontSize: 11 }} label={{ value: 'epoch', position: 'insideBottomRight', fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={44} domain={percent ? [0, 100] : ['auto', 'auto']} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {curves.map((c) => (
            <Line key={c.key} data={c.points} dataKey="y" name={c.label} stroke={c.colour} strokeDasharray={c.dashed ? '4 3' : undefined}
              dot={c.points.length < 30} connectNulls isAnimationActive={false} strokeWidth={1.5} className="compare-series" />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function OptionsTable({ runs }: { runs: RunSummary[] }) {
  const opt = (r: RunSummary, k: string): string => (r.options[k] === undefined || r.options[k] === null ? 'default' : String(r.options[k]));
  const batch = (r: RunSummary): string => `${opt(r, 'batchSize')}${typeof r.options.accumulate === 'number' && r.options.accumulate > 1 ? ` × ${r.options.accumulate}` : ''}`;
  return (
    <table className="runs compare-options" data-testid="compare-options">
      <thead><tr><th /><th>name</th><th>model</th><th>image size</th><th>batch</th><th>epochs</th><th>level</th><th>backend</th><th>val top-1</th></tr></thead>
      <tbody>
        {runs.map((r, i) => (
          <tr key={r.run} data-run={r.run}>
            <td><span className="swatch" style={{ background: COLOURS[i % COLOURS.length] }} /></td>
            <td title={r.run} data-testid="compare-name">{runTitle(r)}</td>
            <td>{r.model}{r.options.backbone ? ` (backbone)` : ''}</td>
            <td className="num">{opt(r, 'imageSize')}</td>
            <td className="num">{batch(r)}</td>
            <td className="num">{opt(r, 'epochs')}</td>
            <td className="num">{typeof r.options.level === 'number' ? r.options.level : 'leaves'}</td>
            <td className="muted">{r.backend ?? ''}</td>
            <td className="num">{pct(r.top1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The ticked runs side by side: loss, train top-1 and validation top-1 overlaid per epoch, their options beside. */
export function RunsCompare({ runs }: { runs: RunSummary[] }) {
  const metrics = useRunsMetrics(runs.map((r) => r.run));
  const of = (r: RunSummary): RunMetric[] => metrics.get(r.run) ?? [];
  return (
    <section className="panel runs-compare" data-testid="runs-compare">
      <h3>Comparing {countOf(runs.length, 'run')}</h3>
      <div className="compare-body">
        <div className="run-charts">
          <Overlay title="loss" curves={runs.flatMap((r, i) => [curve(r, i, of(r), 'train', (m) => m.loss, 1), curve(r, i, of(r), 'validation', (m) => m.loss, 1, ' (validation)')])} />
          <Overlay title="train top-1 %" percent curves={runs.map((r, i) => curve(r, i, of(r), 'train', (m) => m.top1, 100))} />
          <Overlay title="validation top-1 %" percent curves={runs.map((r, i) => curve(r, i, of(r), 'validation', (m) => m.top1, 100))} />
        </div>
        <OptionsTable runs={runs} />
      </div>
    </section>
  );
}
