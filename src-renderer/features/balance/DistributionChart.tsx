import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BalanceCategory } from '../../../src-main/shared/contract';

interface Props {
  categories: BalanceCategory[];
  max?: number;
  min?: number;
}

/** Items per category, sorted, as bars: readable at 1,000 categories (names on hover). */
export function DistributionChart({ categories, max, min }: Props) {
  const data = [...categories].sort((a, b) => b.items + b.validation - (a.items + a.validation)).map((c) => ({ name: c.name, train: c.items, validation: c.validation, final: c.final }));
  const many = data.length > 40;
  return (
    <div className="chart" data-testid="distribution-chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} barCategoryGap={many ? 0 : '10%'} margin={{ top: 8, right: 16, bottom: many ? 8 : 60, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--line)" />
          <XAxis dataKey="name" tick={many ? false : { fontSize: 11 }} angle={-35} textAnchor="end" interval={0} height={many ? 10 : 60} label={many ? { value: `${data.length.toLocaleString()} categories, largest first`, position: 'insideBottom', fontSize: 11 } : undefined} />
          <YAxis tick={{ fontSize: 11 }} label={{ value: 'items', angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip formatter={(v, k) => [Number(v).toLocaleString(), String(k)]} isAnimationActive={false} />
          <Bar dataKey="train" stackId="a" fill="var(--accent)" isAnimationActive={false} />
          <Bar dataKey="validation" stackId="a" fill="#8fb3f5" isAnimationActive={false} />
          {max ? <ReferenceLine y={max} stroke="var(--danger)" strokeDasharray="4 2" label={{ value: `cap ${max}`, fontSize: 11, position: 'right' }} /> : null}
          {min ? <ReferenceLine y={min} stroke="var(--warn)" strokeDasharray="4 2" label={{ value: `min ${min}`, fontSize: 11, position: 'right' }} /> : null}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
