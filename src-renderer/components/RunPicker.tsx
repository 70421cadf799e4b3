import { useState } from 'react';
import type { RunSummary } from '../../src-main/shared/contract';
import { useQuery } from '../api/hooks';

export const percent = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`);
export const shortDate = (iso: string): string => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Finished runs (latest first) and the one chosen: the latest until the user picks another. */
export function useFinishedRuns(active: boolean): { runs: RunSummary[]; run: string | null; setRun: (run: string) => void; error: string | undefined } {
  const list = useQuery('runs.list', active ? {} : null, ['onTrainEvent']);
  const [chosen, setRun] = useState<string | null>(null);
  const runs = (list.data ?? []).filter((r) => r.state === 'done');
  const run = runs.some((r) => r.run === chosen) ? chosen : (runs[0]?.run ?? null);
  return { runs, run, setRun, error: list.error };
}

/** A run selector that says what each run is: name, model, tree level, date, validation top-1. */
export function RunPicker({ runs, run, onChange }: { runs: RunSummary[]; run: string | null; onChange: (run: string) => void }) {
  if (runs.length === 0) return <span className="muted" data-testid="no-runs">No finished run yet: train one in the Train view.</span>;
  return (
    <label>
      run{' '}
      <select value={run ?? ''} onChange={(e) => onChange(e.target.value)} data-testid="run-picker">
        {runs.map((r) => (
          <option key={r.run} value={r.run}>
            {r.name ? `${r.name} · ` : ''}{r.run} · {r.model}{typeof r.options.level === 'number' ? ` · level ${r.options.level}` : ''} · {shortDate(r.createdAt)} · top-1 {percent(r.top1)}
          </option>
        ))}
      </select>
    </label>
  );
}
