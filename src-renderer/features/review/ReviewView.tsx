import { useEffect, useMemo, useState } from 'react';
import { useEvent, useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { useNavigation } from '../../components/navigation';
import { BackboneLocationFields, backboneArgs, NEW_BACKBONE, SourceSelect, useChosenSource, useEmbeddingSources, type BackboneInput } from '../../components/EmbeddingSource';
import { shortDate } from '../../components/RunPicker';
import { useNotify } from '../../components/Toasts';
import { MovePalette } from '../browse/MovePalette';
import { NextStrip } from './NextStrip';
import { ReviewCard } from './ReviewCard';
import { SummaryTable } from './SummaryTable';
import { useDecisions } from './useDecisions';
import { useReviewQueue } from './useReviewQueue';

const ANY = '';

/** Review: the items a run's (or a pretrained backbone's) out-of-sample scores rank as most likely mislabelled, one at a time, decided with one key each. */
export function ReviewView({ active }: { active: boolean }) {
  const notify = useNotify();
  const nav = useNavigation();
  const { runs, backbones, error: runsError } = useEmbeddingSources(active);
  const { run, chosen, setChosen: setRun } = useChosenSource(runs, backbones);
  const [typed, setTyped] = useState<BackboneInput>({ backbone: '', imageSize: '' });
  const newBackbone = chosen === NEW_BACKBONE;
  const tree = useQuery('categories.tree', active ? {} : null, ['onLabelsChanged']);
  const sortedTree = useMemo(() => [...(tree.data ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)), [tree.data]);
  const [labelled, setLabelled] = useState<number | null>(null);
  const [suggested, setSuggested] = useState<number | null>(null);
  const [cursor, setCursor] = useState(0);
  const [palette, setPalette] = useState(false);
  const [job, setJob] = useState<number | null>(null);

  // a confused pair from Evaluate: that run's queue, filtered to the pair
  const request = nav.reviewRequest;
  useEffect(() => {
    if (!request) return;
    setRun(request.run);
    setLabelled(request.labelled);
    setSuggested(request.suggested);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request?.seq]);
  useEffect(() => setCursor(0), [run, labelled, suggested]);

  const queue = useReviewQueue(run ? { run, ...(labelled === null ? {} : { labelled }), ...(suggested === null ? {} : { suggested }) } : null);
  const summary = useQuery('review.summary', run && active ? { run } : null, ['onLabelsChanged', 'onJobDone']);
  useEvent('onJobDone', (d) => d.id === job && setJob(null));
  const items = queue.items;
  const at = Math.max(0, Math.min(cursor, items.length - 1));
  const item = items[at];
  const moveCursor = (by: number): void => setCursor((c) => Math.max(0, Math.min(items.length - 1, Math.min(c, items.length - 1) + by)));
  const decisions = useDecisions({ active, queue, item, paletteOpen: palette, setPalette, moveCursor });

  const start = (): void => {
    if (newBackbone ? typed.backbone.trim() === '' : !run) return;
    void call('review.start', newBackbone ? backboneArgs(typed) : { run: run! }).then(
      (r) => {
        setJob(r.job);
        // the backbone's pseudo-run holds its embeddings and scores: show its queue
        if (newBackbone) setRun(r.run);
        notify(`Finding likely mislabels with ${newBackbone ? 'the backbone' : 'run'} ${r.run}: progress is in the status bar`);
      },
      (e: Error) => notify(e.message, { kind: 'error' }),
    );
  };
  const q = queue.queue;
  const scored = q?.scoredAt != null;

  return (
    <div className="review" data-testid="review-view">
      <div className="toolbar">
        <label>
          embeddings from <SourceSelect runs={runs} backbones={backbones} value={chosen} onChange={setRun} testid="review-source" />
        </label>
        {newBackbone && <BackboneLocationFields value={typed} onChange={setTyped} onSubmit={start} />}
        <button className={scored ? '' : 'primary'} disabled={(newBackbone ? typed.backbone.trim() === '' : !run) || job !== null} onClick={start} data-testid="review-start" title="score every item out of sample and rank the likely mislabels (a job)">
          {job !== null ? 'Finding likely mislabels…' : scored ? 'Score again' : 'Find likely mislabels'}
        </button>
        <CategorySelect label="labelled" value={labelled} onChange={setLabelled} options={sortedTree} testid="review-filter-labelled" />
        <CategorySelect label="suggested" value={suggested} onChange={setSuggested} options={sortedTree} testid="review-filter-suggested" />
        {q && scored && (
          <span data-testid="review-progress">
            reviewed <b>{q.reviewed.toLocaleString()}</b> of {q.suspected.toLocaleString()} suspected · {q.total.toLocaleString()} to go
          </span>
        )}
        {q?.scoredAt && <span className="muted push-right">scored {shortDate(q.scoredAt)}</span>}
      </div>
      {runsError && <div className="error">{runsError}</div>}
      {queue.error && <div className="error" data-testid="review-error">{queue.error}</div>}
      {run && q && !scored && !queue.error && (
        <div className="muted review-empty" data-testid="review-unscored">{run.startsWith('backbone-') ? 'Backbone' : 'Run'} {run} has not scored the items yet: press “Find likely mislabels”.</div>
      )}
      <div className="review-main">
        <div className="review-queue">
          {item && run ? (
            <ReviewCard run={run} item={item} position={at + 1} onAccept={decisions.accept} onKeep={decisions.keep} onExclude={decisions.exclude} onOther={() => setPalette(true)} />
          ) : (
            scored && <div className="muted review-empty" data-testid="review-done">Nothing left to review{labelled !== null || suggested !== null ? ' with these filters' : ''}.</div>
          )}
          <NextStrip items={items} from={at} onPick={setCursor} />
        </div>
        {scored && (
          <section className="panel review-side">
            <h3>Estimated wrong labels</h3>
            {summary.error ? <div className="error">{summary.error}</div> : <SummaryTable rows={summary.data ?? []} onOpen={(id) => (setLabelled(id), setSuggested(null))} />}
          </section>
        )}
      </div>
      {palette && item && <MovePalette categories={tree.data ?? []} count={1} onPick={decisions.moveTo} onClose={() => setPalette(false)} />}
    </div>
  );
}

interface SelectProps {
  label: string;
  value: number | null;
  onChange: (id: number | null) => void;
  options: { id: number; name: string }[];
  testid: string;
}

function CategorySelect({ label, value, onChange, options, testid }: SelectProps) {
  return (
    <label>
      {label}{' '}
      <select value={value ?? ANY} onChange={(e) => onChange(e.target.value === ANY ? null : Number(e.target.value))} data-testid={testid}>
        <option value={ANY}>any category</option>
        {options.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
      </select>
    </label>
  );
}
