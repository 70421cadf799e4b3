import type { JobInfo } from '../../src-main/shared/contract';
import { countOf } from '../../src-main/shared/count';

function duration(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

export function JobProgress({ job, onCancel }: { job: JobInfo; onCancel: (id: number) => void }) {
  const p = job.progress;
  const pct = p.total ? Math.floor((100 * p.done) / p.total) : null;
  return (
    <span className="job" data-testid="job">
      <b>{job.title}</b> {p.phase}{' '}
      {pct !== null ? `${pct}% ${p.done.toLocaleString()}/${p.total!.toLocaleString()}` : p.done.toLocaleString()}
      {p.rate > 0 && ` · ${Math.round(p.rate).toLocaleString()}/s`}
      {p.eta !== null && ` · ${duration(p.eta)} left`}
      {p.problems ? <span className="status-broken"> · {countOf(p.problems, 'problem')} so far</span> : null}
      {pct !== null && <progress max={100} value={pct} />}
      <button className="link" onClick={() => onCancel(job.id)}>cancel</button>
    </span>
  );
}

export function StatusBar({ backend, jobs, selected, onCancel }: { backend: string; jobs: JobInfo[]; selected: number; onCancel: (id: number) => void }) {
  return (
    <footer className="statusbar">
      <span className="muted">backend: {backend}</span>
      <span className="jobs">{jobs.map((j) => <JobProgress key={j.id} job={j} onCancel={onCancel} />)}</span>
      <span data-testid="selected-count">{selected.toLocaleString()} selected</span>
    </footer>
  );
}
