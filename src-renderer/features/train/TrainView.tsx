import { useState } from 'react';
import { useEvent, useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNavigation } from '../../components/navigation';
import { useNotify } from '../../components/Toasts';
import { FeaturePass } from './FeaturePass';
import { ModelExport } from './ModelExport';
import { RunBatch } from './RunBatch';
import { RunCharts } from './RunCharts';
import { RunsCompare } from './RunsCompare';
import { RunsTable } from './RunsTable';
import { TrainForm } from './TrainForm';
import { useRunMetrics } from './useRunMetrics';

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const duration = (s: number): string => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

/** Train: options, the live run with its curves, and past runs to compare. */
export function TrainView({ active }: { active: boolean }) {
  const notify = useNotify();
  const nav = useNavigation();
  const backend = useQuery('train.backend', active ? {} : null);
  const runs = useQuery('runs.list', active ? {} : null, ['onTrainEvent']);
  const [selected, setSelected] = useState<string | null>(null);
  const [compared, setCompared] = useState<string[]>([]);
  const running = runs.data?.find((r) => r.state === 'running') ?? null;
  const shown = selected ?? running?.run ?? runs.data?.[0]?.run ?? null;
  const { metrics, live } = useRunMetrics(shown);
  const shownRun = runs.data?.find((r) => r.run === shown) ?? null;
  const fail = (e: Error): void => notify(e.message, { kind: 'error' });
  useEvent('onTrainEvent', (e) => {
    if (e.type === 'start' && e.note) notify(e.note);
    if (e.type === 'preparing') notify(e.message);
    if (e.type === 'done') notify(`Run ${e.run} ${e.state === 'done' ? `finished: validation top-1 ${pct(e.top1)}` : 'stopped at a checkpoint'}`);
    if (e.type === 'error') notify(`Run ${e.run} failed: ${e.message}`, { kind: 'error' });
  });
  const start = (o: Parameters<typeof call<'train.start'>>[1]): void => void call('train.start', o).then((r) => (setSelected(r.run), notify(`Training run ${r.run} started`)), fail);

  return (
    <div className="train" data-testid="train-view">
      <div className="train-top">
        <section className="panel">
          <h3>New run</h3>
          <p className="muted">Backend: <b data-testid="train-backend">{backend.data?.label ?? 'loading…'}</b>{backend.data?.faster ? <><br />Faster: {backend.data.faster}</> : null}</p>
          <TrainForm onStart={start} busy={running !== null} />
        </section>
        <section className="panel grow">
          <h3>{shown ? `Run ${shown}` : 'No runs yet'}</h3>
          {shownRun && <RunBatch run={shownRun} />}
          {running?.run === shown && !live && <p className="muted" data-testid="train-progress-starting">starting…</p>}
          {running?.run === shown && <FeaturePass run={shown} />}
          {live && live.run === shown && running?.run === shown && (
            <p data-testid="train-progress">
              epoch {live.epoch}/{live.epochs} · step {live.step.toLocaleString()}/{live.totalSteps.toLocaleString()} · loss {live.loss.toFixed(4)} · {Math.round(live.imagesPerSec).toLocaleString()} images/s · {duration(live.eta)} left
              <progress max={live.totalSteps} value={live.step} />
            </p>
          )}
          {running?.run === shown && <button onClick={() => void call('train.stop', { run: shown! }).catch(fail)} data-testid="train-stop">Stop (saves a checkpoint)</button>}
          {shown && runs.data?.find((r) => r.run === shown)?.state === 'done' && <ModelExport run={shown} />}
          {shown && <RunCharts metrics={metrics} />}
        </section>
      </div>
      <RunsTable runs={runs.data ?? []} shown={shown} onShow={setSelected} onResume={(run) => void call('train.resume', { run }).then(() => setSelected(run), fail)}
        onMisclassified={(run) => nav.showInBrowse({ prediction: { run, misclassified: true }, sort: 'disagreement' }, `misclassified, run ${run}`)}
        onAnnotated={runs.reload} compared={compared} onCompare={(run, on) => setCompared((c) => (on ? [...c, run] : c.filter((r) => r !== run)))} />
      {compared.length > 0 && <RunsCompare runs={(runs.data ?? []).filter((r) => compared.includes(r.run))} />}
    </div>
  );
}
