import { useEffect, useState } from 'react';
import type { ImportProblem } from '../../../src-main/shared/problems';
import { countOf } from '../../../src-main/shared/count';
import { useQuery } from '../../api/hooks';

/**
 * The problems of the latest import, kept after its toast is gone: every file it skipped and
 * every broken item, each with its reason, filterable by kind and text. One panel for the
 * whole studio (ProblemsHost), opened from anywhere with openProblems(): the import's toast,
 * the link in the top bar.
 */
let opener: ((open: boolean) => void) | null = null;

export function openProblems(): void {
  opener?.(true);
}

export function ProblemsHost() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    opener = setOpen;
    return () => {
      opener = null;
    };
  }, []);
  return open ? <ProblemsPanel onClose={() => setOpen(false)} /> : null;
}

/** "12 import problems": shown only when there are any. */
export function ProblemsLink() {
  const problems = useQuery('import.problems', { limit: 1 }, ['onJobDone', 'onLabelsChanged']);
  const n = (problems.data?.skipped ?? 0) + (problems.data?.broken ?? 0);
  if (n === 0) return null;
  return (
    <button className="link status-broken" onClick={openProblems} data-testid="problems-link" title="Files the import skipped and images that cannot be decoded">
      {countOf(n, 'import problem')}
    </button>
  );
}

type Kind = 'any' | 'skipped' | 'broken';

function ProblemsPanel({ onClose }: { onClose: () => void }) {
  const [kind, setKind] = useState<Kind>('any');
  const [search, setSearch] = useState('');
  const problems = useQuery('import.problems', { kind, search, limit: 500 }, ['onJobDone', 'onLabelsChanged']);
  const data = problems.data;
  return (
    <div className="overlay" onClick={onClose} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="palette" style={{ width: 'min(900px, 92vw)' }} role="dialog" aria-label="Import problems" data-testid="problems-panel" onClick={(e) => e.stopPropagation()}>
        <div className="palette-title">
          {data
            ? `Import problems: ${data.skipped.toLocaleString()} skipped by the last import${data.finishedAt ? ` (${new Date(data.finishedAt).toLocaleString()})` : ''}, ${data.broken.toLocaleString()} broken`
            : 'Import problems'}
        </div>
        <div style={{ display: 'flex', gap: 8 }}>
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Kind" data-testid="problems-kind">
            <option value="any">All</option>
            <option value="skipped">Skipped files</option>
            <option value="broken">Broken images</option>
          </select>
          <input className="palette-input" autoFocus placeholder="Filter by path or reason" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Filter" data-testid="problems-filter" />
        </div>
        {problems.error && <div className="error">{problems.error}</div>}
        <ul className="palette-list" data-testid="problems-list">
          {data?.rows.map((p) => <ProblemRow key={`${p.kind}:${p.path}`} problem={p} />)}
          {data && data.rows.length === 0 && <li className="muted">{search || kind !== 'any' ? 'Nothing matches.' : 'No problems: every file was imported and decodes.'}</li>}
          {data && data.more > 0 && <li className="muted">… and {data.more.toLocaleString()} more (narrow the filter)</li>}
        </ul>
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

function ProblemRow({ problem }: { problem: ImportProblem }) {
  return (
    <li data-testid="problem-row" data-kind={problem.kind} style={{ cursor: 'default' }}>
      <span className={problem.kind === 'broken' ? 'status-broken' : 'status-excluded'}>{problem.kind}</span> <b style={{ wordBreak: 'break-all' }}>{problem.path}</b>
      <div className="muted">{problem.reason}</div>
    </li>
  );
}
