import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunMetric } from '../../../src-main/shared/contract';

interface Series {
  key: string;
  label: string;
  color: string;
  pick: (m: RunMetric) => number | null;
  kind: RunMetric['kind'];
}

function Chart({ title, metrics, series, percent }: { title: string; metrics: RunMetric[]; series: Series[]; percent?: boolean }) {
  const byStep = new Map<number, Record<string, number | null>>();
  for (const m of metrics) {
    const row = byStep.get(m.step) ?? { step: m.step };
    for (const s of series) if (s.kind === m.kind) row[s.key] = s.pick(m) === null ? null : (s.pick(m) as number) * (percent ? 100 : 1);
    byStep.set(m.step, row);
  }
  const data = [...byStep.values()].sort((a, b) => (a.step as number) - (b.step as number));
  return (
    <div className="run-chart" data-testid={`chart-${title}`}>
      <h4>{title}</h4>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={data} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--line)" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} label={{ value: 'step', position: 'insideBottomRight', fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={44} domain={percent ? [0, 100] : ['auto', 'auto']} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} dot={s.kind === 'validation'} connectNulls isAnimationActive={false} strokeWidth={1.5} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Loss, top-1/top-5 (train and validation), learning rate and images/s of one run. */
export function RunCharts({ metrics }: { metrics: RunMetric[] }) {
  const accent = 'var(--accent)';
  return (
    <div className="run-charts">
      <Chart title="loss" metrics={metrics} series={[
        { key: 'loss', label: 'train', color: accent, pick: (m) => m.loss, kind: 'train' },
        { key: 'val_loss', label: 'validation', color: '#e07b39', pick: (m) => m.loss, kind: 'validation' },
      ]} />
      <Chart title="accuracy %" percent metrics={metrics} series={[
        { key: 'top1', label: 'train top-1', color: accent, pick: (m) => m.top1, kind: 'train' },
        { key: 'top5', label: 'train top-5', color: '#8fb3f5', pick: (m) => m.top5, kind: 'train' },
        { key: 'val_top1', label: 'val top-1', color: '#e07b39', pick: (m) => m.top1, kind: 'validation' },
        { key: 'val_top5', label: 'val top-5', color: '#f2b885', pick: (m) => m.top5, kind: 'validation' },
      ]} />
      <Chart title="learning rate" metrics={metrics} series={[{ key: 'lr', label: 'learning rate', color: accent, pick: (m) => m.lr, kind: 'train' }]} />
      <Chart title="images per second" metrics={metrics} series={[{ key: 'ips', label: 'images/s', color: accent, pick: (m) => m.images_per_sec, kind: 'train' }]} />
    </div>
  );
}
