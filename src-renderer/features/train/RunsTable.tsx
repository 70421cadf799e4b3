import type { RunSummary } from '../../../src-main/shared/contract';
import { call } from '../../api/transport';
import { useNotify } from '../../components/Toasts';
import { trainingMode } from '../../../src-main/shared/transfer';
import { EditableText } from './EditableText';

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

interface Props {
  runs: RunSummary[];
  shown: string | null;
  onShow: (run: string) => void;
  onResume: (run: string) => void;
  onMisclassified: (run: string) => void;
  /** a name or note was saved: the list is read again */
  onAnnotated: () => void;
  /** the runs ticked for comparison */
  compared: readonly string[];
  onCompare: (run: string, on: boolean) => void;
}

/** Past runs: tick to compare, click to show, name and note editable in place. */
export function RunsTable({ runs, shown, onShow, onResume, onMisclassified, onAnnotated, compared, onCompare }: Props) {
  const notify = useNotify();
  if (runs.length === 0) return null;
  const annotate = (run: string, fields: { name?: string; note?: string }): void =>
    void call('runs.annotate', { run, ...fields }).then(onAnnotated, (e: Error) => notify(e.message, { kind: 'error' }));
  return (
    <table className="runs" data-testid="runs-table">
      <thead><tr><th title="tick runs to compare their curves">compare</th><th>run</th><th>name</th><th>model</th><th>mode</th><th>level</th><th>state</th><th>progress</th><th>val top-1</th><th>val top-5</th><th>backend</th><th>note</th><th /></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.run} className={r.run === shown ? 'active' : ''} onClick={() => onShow(r.run)} data-run={r.run}>
            <td onClick={(e) => e.stopPropagation()}>
              <input type="checkbox" checked={compared.includes(r.run)} onChange={(e) => onCompare(r.run, e.target.checked)} aria-label={`compare ${r.name ?? r.run}`} data-testid="run-compare" />
            </td>
            <td>{r.run}</td>
            <td><EditableText value={r.name} placeholder="name…" onSave={(name) => annotate(r.run, { name })} testId="run-name" /></td>
            <td title={typeof r.options.backbone === 'string' ? r.options.backbone : undefined}>{typeof r.options.backbone === 'string' ? `backbone ${r.options.backbone.split(/[\\/]/).filter(Boolean).pop() ?? ''}` : r.model}</td>
            <td className="muted" data-testid="run-mode">{trainingMode(r.options)}</td>
            <td className="num">{typeof r.options.level === 'number' ? r.options.level : 'leaves'}</td>
            <td className={`state-${r.state}`} title={r.message ?? ''}>{r.state}</td>
            <td>{r.totalSteps ? `${Math.round((100 * r.step) / r.totalSteps)}%` : '–'}</td>
            <td className="num">{pct(r.top1)}</td>
            <td className="num">{pct(r.top5)}</td>
            <td className="muted">{r.backend ?? ''}</td>
            <td className="run-note"><EditableText value={r.note} placeholder="note…" onSave={(note) => annotate(r.run, { note })} testId="run-note" multiline /></td>
            <td>
              {(r.state === 'stopped' || r.state === 'failed') && <button onClick={(e) => (e.stopPropagation(), onResume(r.run))}>Resume</button>}
              {r.state === 'done' && <button onClick={(e) => (e.stopPropagation(), onMisclassified(r.run))} title="the items this run's model disagrees with, most confident first" data-testid="run-misclassified">Misclassified</button>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
